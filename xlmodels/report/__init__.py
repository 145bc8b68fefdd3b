"""Monthly report outputs built from computed coverage data."""
