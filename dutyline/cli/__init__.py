"""The `dutyline` command line: one package per area (agency, call, events, incident, notify, ops,
roster), each with commands.py (the typer group) and, where it has them, client.py (how it reaches
its service) and views.py (how it shows things); what they share is in common/. main.py assembles
them, with the commands a container runs and those of the embedded dev stack when it is installed.
Above the services; below the dev stack, which it never imports."""
