"""Platform adapters: translate Slack, Teams and the console to Turns and Replies."""
