"""Registration's words: page labels, refusals and ledger actions (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import PERSONAL, Declared, declare

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
    "registration.objections": ("异议", "Objections"),
    "registration.no_objections": ("公示期内没有收到异议。", "No objection was filed during the notice."),
    "registration.objection_unanswered": ("条异议待答复", "objection(s) awaiting an answer"),
    "registration.objector": ("异议人", "Objector"),
    "registration.contact": ("联系方式", "Contact"),
    "registration.objection_reason": ("异议理由", "Grounds"),
    "registration.filed_at": ("提出时间", "Filed"),
    "registration.answer": ("答复", "Answer"),
    "registration.answer_reason": ("答复理由", "Reasons for the answer"),
    "registration.answer_submit": ("答复异议", "Answer the objection"),
    "registration.blocked": (
        "有未答复的异议：公示期满后也不会予以登记，直至每条异议都已答复。",
        "An objection is unanswered: the application is not registered, even after the notice, until each is answered.",
    ),
    "registration.notice_ended": ("公示期已结束", "The notice has ended"),
    "registration.change_title": ("变更内容", "What changes"),
    "registration.old": ("变更前", "Before"),
    "registration.new": ("变更后", "After"),
    "registration.unchanged": ("未变更的项目（{n} 项）", "Unchanged ({n})"),
    "registration.no_change": ("申请与现登记内容相同。", "The application changes nothing."),
    "registration.field_added": ("新增字段", "Field added"),
    "registration.field_removed": ("删除字段", "Field removed"),
    "registration.field_changed": ("修改字段", "Field changed"),
    "registration.key": ("项目", "Item"),
    "registration.values": ("取值", "Values"),
    "notice.registration-decided": ("已记录对登记申请的决定。", "The decision on the application is recorded."),
    "notice.objection-filed": (
        "您的异议已提交，市数据资源局将在公示期满前核实并答复。",
        "Your objection is filed; the bureau will look into it and answer it.",
    ),
    "notice.objection-answered": ("已答复异议。", "The objection is answered."),
}

REFUSALS = {
    "registration.objection-limit": (
        409,
        "该申请尚有 {limit} 件异议待数据资源局答复，请待答复后再提出。",
        "This application has {limit} objections waiting for the bureau's answer; object again once it answers.",
    ),
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
    "registration.objection-closed": (
        409,
        "公示期已于 {until} 结束，不再受理异议：异议须在公示期内提出。",
        "The public notice ended on {until}: objections are taken only while the notice runs.",
    ),
    "registration.objection-name": (
        422,
        "请填写异议人姓名或单位名称（最多 {limit} 个字）。",
        "Give the objector's name or organisation (at most {limit} characters).",
    ),
    "registration.objection-contact": (
        422,
        "请填写能联系到您的手机号码、固定电话或电子邮箱。",
        "Give a mobile number, a landline or an e-mail address where you can be reached.",
    ),
    "registration.objection-reason": (
        422,
        "请写明异议理由（{min} 至 {max} 个字）。",
        "Give the grounds of the objection ({min} to {max} characters).",
    ),
    "registration.objection-answer": (
        422,
        "请答复异议成立或不成立，并写明理由。",
        "Answer upheld or dismissed, and give the reasons.",
    ),
    "registration.objection-answered": (409, "该异议已经答复。", "This objection has been answered."),
    "registration.objection-unanswered": (
        409,
        "还有 {n} 条异议未答复：每条异议答复后才能予以登记。",
        "{n} objection(s) are unanswered: the application is registered only once each is answered.",
    ),
}

ACTIONS: dict[str, Declared] = {
    "registration.first.submit": ("申请首次登记", "First registration applied for"),
    "registration.change.submit": ("申请变更登记", "Change registration applied for"),
    "registration.cancel.submit": ("申请注销登记", "Cancellation applied for"),
    "registration.accept": ("受理登记并公示", "Registration accepted for public notice"),
    "registration.return": ("退回登记申请", "Registration returned"),
    "registration.reject": ("不予登记", "Registration rejected"),
    "registration.finalise": ("公示期满予以登记", "Registered after the public notice"),
    # The objection's row holds the objector's name and contact: its entry shows as an internal operation.
    "registration.objection.file": ("提出异议", "Objection filed", PERSONAL),
    "registration.objection.upheld": ("异议成立", "Objection upheld"),
    "registration.objection.dismissed": ("异议不成立", "Objection dismissed"),
    "registration.objection.superseded": ("异议随申请退回办结", "Objection closed with the returned application"),
    "registration.objection-return": ("异议成立，退回登记申请", "Registration returned on an upheld objection"),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS |= {
    "subject.registration": ("登记申请", "Registration"),
    "subject.registration_objection": ("登记异议", "Registration objection"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
