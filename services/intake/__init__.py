"""Intake service (来电受理): every duty call recorded, classified and handled."""
