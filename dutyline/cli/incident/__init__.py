"""`dutyline incident …`: the emergency process and the live duty board: commands, client, views, watch."""
