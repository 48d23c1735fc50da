"""`dutyline equipment …` and `dutyline supplies …`: the duty room's equipment and supplies (值班设备与应急物资)."""
