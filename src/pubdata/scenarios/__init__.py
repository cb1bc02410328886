"""Data demands (数据供需) and scenario plans (场景建设方案) with their risk assessment and departments' opinions."""

from pubdata.scenarios import messages as _messages  # noqa: F401 - declares the domain's words
