"""Benchmarks of dutyline against the raw ceilings of its components, measured in one run on the
embedded stack (DESIGN.md §8 "Budgets"). Run with `make bench`; never imported by the tests."""
