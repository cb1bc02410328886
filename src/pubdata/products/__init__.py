"""Data products and services (数据产品和服务): definitions, security review, registration, listing,
subscriptions and calls."""

from pubdata.products import messages as _messages  # noqa: F401 - declares the domain's words
