"""`dutyline line …`: the duty lines and what the switch reports of them."""
