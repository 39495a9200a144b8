"""The only place that knows SQL: models, engine, migrations and queries (SQLite, PostgreSQL)."""
