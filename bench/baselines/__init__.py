"""Bare Slack Bolt and botbuilder apps, the yardsticks qabot is measured against."""
