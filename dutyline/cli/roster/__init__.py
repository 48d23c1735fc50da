"""`dutyline roster …`: the duty roster, leave, swaps, check-in and handover: commands, client, views."""
