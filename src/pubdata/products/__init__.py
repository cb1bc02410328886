"""Data products and services (数据产品和服务): definitions, security review, registration, listing,
subscriptions and calls."""

from pubdata.products import messages as _messages  # noqa: F401 - declares the domain's words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``: the definitions'
# value types, the subscriptions and calls (the workbench's figures, the demo), and what products compute (privacy
# computing builds its sets with it).
PUBLIC = ("definitions", "subscriptions", "calls", "compute")
