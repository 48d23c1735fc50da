"""`dutyline case …`: hotline cases (工单), served by intake: commands, client, words."""
