"""Roster service (排班): who is on duty at each site, and who leads the shift."""
