"""Data resources: description, classification and grading, loading into the domain, the catalogue."""

from pubdata.catalog import messages as _messages  # noqa: F401 - declares the domain's words
