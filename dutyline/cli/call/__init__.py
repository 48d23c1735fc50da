"""`dutyline call …`: duty calls (来电受理), served by intake: commands, client, views."""
