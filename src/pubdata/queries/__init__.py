"""Governed queries (受控查询): a consumer's SQL under a contract, checked, run next to the data under its
output rule; mock data for development."""

from pubdata.queries import messages as _messages  # noqa: F401 - declares the domain's words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
# planner: a product's template is planned as any query (products.compute); console and exports: a product's
# answer is shown, kept and downloaded as a console's is (products.call_pages).
PUBLIC = ("checks", "planner", "console", "exports")
