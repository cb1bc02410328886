"""Consent decisions, pure: the state table of a data subject's authorization."""

from __future__ import annotations

from pubdata.common.lifecycle import Lifecycle, State

VIA: dict[str, tuple[str, str]] = {
    "account": ("主体在线授权", "Granted by the subject online"),
    "letter": ("书面授权书", "Signed authorization letter"),
}


class ConsentState(State):
    GRANTED = "granted", "有效", "Granted"
    EXPIRED = "expired", "已过期", "Expired"
    REVOKED = "revoked", "已撤回", "Revoked"


C = ConsentState
LIFECYCLE = Lifecycle(
    rule="consent.transition",
    name=("授权", "consent"),
    states=ConsentState,
    start=C.GRANTED,
    events={"expire": ("到期", "expire"), "revoke": ("撤回", "revoke")},
    transitions={(C.GRANTED, "expire"): C.EXPIRED, (C.GRANTED, "revoke"): C.REVOKED},
)
