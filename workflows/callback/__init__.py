"""CallbackWorkflow: one per callback (a message taken, 留言, or a callback promised, 承诺回电), workflow id
f"callback-{callback_id}"; reminds the recipient before the deadline and escalates to the duty leader
once it has passed, until the callback is completed."""
