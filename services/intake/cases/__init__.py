"""Hotline cases (工单): CaseService, hosted by the intake service."""
