"""Getting material in: sources (transcripts) and cases (participants with attributes)."""
