"""`dutyline inspection …`: the duty leader's inspection of each shift (带班领导查岗)."""
