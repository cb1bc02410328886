"""Data resources: description, classification and grading, loading into the domain, the catalogue."""

from pubdata.catalog import messages as _messages  # noqa: F401 - declares the domain's words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("sources", "integrity")
