"""Products' words: refusals, ledger actions and labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS: dict[str, tuple[int, str, str]] = {}
ACTIONS: dict[str, tuple[str, str]] = {}
LABELS: dict[str, tuple[str, str]] = {
    "subject.product": ("数据产品", "Product"),
    "subject.product_review": ("安全审查", "Security review"),
    "subject.subscription": ("订阅申请", "Subscription"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
