"""Data resources: description, classification and grading, loading into the domain, the catalogue."""
