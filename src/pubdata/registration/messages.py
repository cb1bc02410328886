"""Registration's words: page labels, refusals and ledger actions (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

LABELS = {
    "registration.kind": ("登记类型", "Kind"),
    "registration.state": ("状态", "State"),
    "registration.submitted_at": ("申请时间", "Submitted"),
    "registration.notice_until": ("公示截止", "Notice until"),
    "registration.number": ("登记编号", "Number"),
    "registration.reason": ("意见", "Reason"),
    "registration.queue": ("待处理的登记申请", "Open registration applications"),
    "registration.empty": ("没有待处理的申请。", "No open application."),
    "registration.accept": ("受理并公示", "Accept and publish notice"),
    "registration.return": ("退回补正", "Return for correction"),
    "registration.reject": ("不予登记", "Reject"),
    "registration.subject": ("资源", "Resource"),
}

REFUSALS = {
    "registration.kind": (
        422,
        "未知的登记类型 {kind}；可选：首次登记、变更登记、注销登记。",
        "Unknown registration kind {kind}; use first, change or cancel.",
    ),
    "registration.already-open": (
        409,
        "已有一项登记申请正在审核或公示。",
        "A registration for this is already under review or in public notice.",
    ),
    "registration.not-found": (404, "没有这个{what}。", "No such {what}."),
    "registration.decision": (422, "请以受理、退回或不予登记作出决定。", "Decide with accept, return or reject."),
    "registration.reason-required": (
        422,
        "请说明理由，以便提供部门修改。",
        "Say why, so the department can correct it.",
    ),
    "registration.notice-running": (409, "公示期至 {until}。", "The public notice runs until {until}."),
}

ACTIONS = {
    "registration.first.submit": ("申请首次登记", "First registration applied for"),
    "registration.change.submit": ("申请变更登记", "Change registration applied for"),
    "registration.cancel.submit": ("申请注销登记", "Cancellation applied for"),
    "registration.accept": ("受理登记并公示", "Registration accepted for public notice"),
    "registration.return": ("退回登记申请", "Registration returned"),
    "registration.reject": ("不予登记", "Registration rejected"),
    "registration.finalise": ("公示期满予以登记", "Registered after the public notice"),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS |= {
    "subject.registration": ("登记申请", "Registration"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
