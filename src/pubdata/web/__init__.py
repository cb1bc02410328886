"""Shared web plumbing: request-scoped sessions, templates, language, CSRF."""

from pubdata.web import messages as _messages  # noqa: F401 - declares the platform's own words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("deps", "render", "forms")
