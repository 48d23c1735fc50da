"""The `dutyline` command line."""
