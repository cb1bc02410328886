"""Demands' and scenario plans' words: refusals, ledger actions and labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS: dict[str, tuple[int, str, str]] = {}
ACTIONS: dict[str, tuple[str, str]] = {}
LABELS: dict[str, tuple[str, str]] = {
    "subject.data_demand": ("数据需求", "Data demand"),
    "subject.scenario": ("场景建设方案", "Scenario plan"),
    "subject.scenario_opinion": ("部门意见", "Department opinion"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
