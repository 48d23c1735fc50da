"""`dutyline plan …`: emergency plans (应急预案) and response levels (响应级别)."""
