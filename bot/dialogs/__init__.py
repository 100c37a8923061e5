"""Platform-neutral conversation flows. Each module registers itself on a Router."""
