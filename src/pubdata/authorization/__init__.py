"""Authorization (授权运营): the operator's agreement, partners, renewal, evaluation, rectification and exit."""

from pubdata.authorization import messages as _messages  # noqa: F401 - declares the domain's words
