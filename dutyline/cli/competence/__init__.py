"""`dutyline competence …` and `dutyline drill …`: qualifications, training and drills (资格、培训、演练)."""
