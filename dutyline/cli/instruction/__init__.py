"""`dutyline instruction …`: leaders' instructions (领导批示/指令) followed to completion."""
