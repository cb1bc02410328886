"""Reports (read-only over the other domains' services): public transparency of each registered resource; audit
views; the annual operation report; the bureau's dashboard."""

from pubdata.reports import messages  # noqa: F401 - declares the words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("annual",)
