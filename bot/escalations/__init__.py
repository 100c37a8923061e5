"""Escalations: professional disagreements walked up the framework file's ladders (RPD,
the IRO dispute resolution process, audit and review disputes)."""
