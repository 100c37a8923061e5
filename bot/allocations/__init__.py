"""Allocations, working-day deadlines, nudges and escalation (see ``area.py``)."""
