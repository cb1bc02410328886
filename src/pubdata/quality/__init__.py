"""Data quality (三(三)3): tickets on the working-day calendar; the departments' contribution scores (四)."""

from pubdata.quality import messages  # noqa: F401 - declares the words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("scores",)
