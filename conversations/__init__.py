"""Guided eligibility checks: flow definitions (YAML) and a small pure engine."""
