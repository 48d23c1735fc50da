"""`dutyline agency …`: agencies subscribing to events (served by notify): commands, views."""
