"""ShiftWorkflow: one per duty assignment (值班), workflow id f"shift-{assignment_id}"; enforces 签到
(check-in) and 交接班 (handover), records 缺岗 (absence) and tells the duty leader."""
