"""Scheduled sweeps (APScheduler) and the outbox delivery worker."""
