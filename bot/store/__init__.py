"""Persistence: SQLAlchemy 2 async models, sessions, migrations, outbox and audit log."""
