"""Usage contracts (智能合约): machine-readable terms, both sides' signatures, checks and counters on every call."""
