"""Authorization (授权运营): the operator's agreement, partners, renewal, evaluation, rectification and exit."""

from pubdata.authorization import messages as _messages  # noqa: F401 - declares the domain's words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("agreements", "partners", "scope", "evaluation", "deadlines", "security")
