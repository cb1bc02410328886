"""Usage contracts (智能合约): machine-readable terms, both sides' signatures, checks and counters on every call."""

from pubdata.contracts import messages as _messages  # noqa: F401 - declares the domain's words
