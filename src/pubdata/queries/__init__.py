"""Governed queries (受控查询): a consumer's SQL under a contract, checked, run next to the data under its
output rule; mock data for development."""
