"""Reading the CSV files the QA team keeps (staff lists, allocations)."""
