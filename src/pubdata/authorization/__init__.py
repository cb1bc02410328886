"""Authorization (授权运营): the operator's agreement, partners, renewal, evaluation, rectification and exit."""
