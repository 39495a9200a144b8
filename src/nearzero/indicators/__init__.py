"""Indicator system: catalogue schema, target rules, evaluation, the acceptance rule (pure)."""
