"""Use cases: the core plus the store. Every write names an actor and lands in the audit log."""
