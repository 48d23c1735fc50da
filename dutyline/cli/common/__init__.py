"""What every command group shares: the session its options make and how it reaches a service
(session, connect), the platform.json `dutyline up` leaves (state), the two languages (i18n), names
of API values and the choices of options taken from the protos (enums), local dates and times
(times), and the house style of tables (tables)."""
