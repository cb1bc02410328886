"""Organisations, users, roles, API tokens and web sessions; ``access`` is the one permission check."""

from pubdata.identity import messages as _messages  # noqa: F401 - declares the domain's words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("access", "dependencies")
