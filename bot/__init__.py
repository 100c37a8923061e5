"""qabot: the QA framework of a children's services department, run in Teams and Slack."""

__version__ = "0.1.0"
