"""Quotas of logged items (family feedback, dip reviews, observations, audits) and their nudges."""
