"""`dutyline inbox …`: a duty office's report inbox (报告收件箱)."""
