"""Data quality's words: refusals, ledger actions and page labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare
from pubdata.quality import rules

REFUSALS = {
    "quality.not-found": (404, "没有找到该{what}。", "No such {what}."),
    "quality.kind": (
        422,
        "问题类型须为数据错误、数据遗漏、更新不及时或数据不一致之一。",
        "The kind is one of error, omission, staleness or inconsistency.",
    ),
    "quality.where": (422, "问题位置有误：{problem}。", "The ticket's place is wrong: {problem}."),
    "quality.personal": (
        422,
        "{what}中含有身份证号码或手机号码。请用行号和列号指出问题所在，不要粘贴数据中的个人信息。",
        "The {what} holds an ID number or a mobile number. Point at the rows and columns by number; never paste "
        "personal information from the data.",
    ),
    "quality.version": (
        422,
        "该数据资源没有这个版本号，请填写资源目录中列出的版本。",
        "The resource has no version of that number; give one the catalogue lists.",
    ),
    "quality.fixed-version": (
        422,
        "修复版本须为该数据资源在问题所指版本之后导入的版本。",
        "The fixing version is one of the resource's versions loaded after the one the ticket is about.",
    ),
}

ACTIONS = {
    "quality.filed": ("提出数据质量问题", "Quality ticket filed"),
    "quality.round-opened": ("数据质量问题开始计时", "Quality ticket's deadline set"),
    "quality.answered": ("答复数据质量问题", "Quality ticket answered"),
    "quality.round-answered": ("数据质量问题答复（计时）", "Quality ticket's round answered"),
    "quality.confirmed": ("确认数据质量问题已解决", "Quality ticket's fix confirmed"),
    "quality.reopened": ("重新打开数据质量问题", "Quality ticket reopened"),
    "quality.withdrawn": ("撤回数据质量问题", "Quality ticket withdrawn"),
    "quality.round-closed": ("数据质量问题本轮结束", "Quality ticket's round ended"),
    "quality.overdue": ("数据质量问题逾期未答复", "Quality ticket overdue"),
    "quality.due-recomputed": ("按年度放假安排重新计算答复期限", "Quality ticket's deadline recomputed"),
}

LABELS = {
    "nav.quality": ("数据质量", "Data quality"),
    "quality.title": ("数据质量问题", "Data-quality tickets"),
    "quality.one": ("数据质量问题", "Quality ticket"),
    "quality.intro": (
        "对数据错误、遗漏、更新不及时、不一致等问题，提供部门应在收到后 {days} 个工作日内处理并答复"
        "（提出当日不计，按国家法定工作日和调休计算）。",
        "The providing department answers errors, omissions, staleness and inconsistencies within {days} working "
        "days of receiving them (the filing day never counts; China's official working days, make-up days "
        "included).",
    ),
    "quality.new": ("提出数据质量问题", "File a quality ticket"),
    "quality.resource": ("数据资源", "Resource"),
    "quality.resource_code": ("资源编码", "Resource code"),
    "quality.version": ("版本", "Version"),
    "quality.version_hint": ("留空即为当前版本", "Leave empty for the current version"),
    "quality.kind": ("问题类型", "Kind"),
    "quality.rows": ("行号", "Rows"),
    "quality.rows_hint": (
        "按行号指出问题所在，例如“3, 7-9”；问题涉及整个资源时留空。",
        "Point at rows by number, as in “3, 7-9”; leave empty when it is about the whole resource.",
    ),
    "quality.columns": ("字段", "Columns"),
    "quality.columns_hint": (
        "勾选有问题的字段（按目录中的字段顺序编号）",
        "Tick the columns (numbered as the catalogue lists them)",
    ),
    "quality.description": ("问题说明", "description"),
    "quality.description_hint": (
        "说明问题，不要粘贴数据中的身份证号码、手机号码、姓名等个人信息。",
        "Describe the problem; never paste ID numbers, mobiles, names or other personal data from the data.",
    ),
    "quality.answer": ("答复", "answer"),
    "quality.answer_title": ("答复本问题", "Answer this ticket"),
    "quality.fixed_version": ("修复后的数据版本", "Version that fixes it"),
    "quality.fixed_version_hint": (
        "如已导入修复后的数据，填写其版本号",
        "If you loaded fixed data, its version number",
    ),
    "quality.reopen_reason": ("重新打开的理由", "reason for reopening"),
    "quality.submit": ("提交", "Submit"),
    "quality.do_answer": ("提交答复", "Answer"),
    "quality.do_confirm": ("确认已解决", "Confirm the fix"),
    "quality.do_reopen": ("未解决，重新打开", "Not fixed: reopen"),
    "quality.do_withdraw": ("撤回", "Withdraw"),
    "quality.filer": ("提出方", "Filed by"),
    "quality.department": ("提供部门", "Department"),
    "quality.filed_at": ("提出时间", "Filed"),
    "quality.state": ("状态", "State"),
    "quality.due": ("答复期限", "Answer due"),
    "quality.due_end": ("{day} 当日结束前", "by the end of {day}"),
    "quality.overdue": ("已逾期", "Overdue"),
    "quality.late": ("逾期答复", "Answered late"),
    "quality.on_time": ("按期答复", "Answered on time"),
    "quality.rounds": ("办理记录", "Rounds"),
    "quality.round": ("第 {n} 轮", "Round {n}"),
    "quality.round_head": ("轮次", "Round"),
    "quality.opened_on": ("起算日", "Counted from"),
    "quality.answered_at": ("答复时间", "Answered"),
    "quality.outcome": ("结果", "Outcome"),
    "quality.whole_resource": ("整个资源", "The whole resource"),
    "quality.none": ("没有数据质量问题。", "No quality tickets."),
    "quality.filter_all": ("全部", "All"),
    "quality.filter_overdue": ("仅看逾期", "Overdue only"),
    "quality.filter": ("筛选", "Filter"),
    "quality.overdue_count": ("逾期未答复 {count} 件", "{count} overdue"),
    "quality.file_here": ("对该资源提出数据质量问题", "File a quality ticket on this resource"),
    "quality.rows_too_many": (f"行号最多列出 {rules.MAX_RANGES} 段", f"at most {rules.MAX_RANGES} row ranges"),
    "quality.rows_shape": (
        "行号应为正整数或“起-止”区间，以逗号分隔",
        "rows are numbers or “from-to” ranges, separated by commas",
    ),
    "quality.rows_order": (
        "行号从 1 开始，区间的起始行不能大于结束行",
        "rows start at 1, and a range's first row is not after its last",
    ),
    "quality.columns_repeated": ("字段重复或过多", "a column is repeated, or too many are named"),
    "quality.columns_range": ("字段编号超出该资源的字段范围", "a column number is outside the resource's columns"),
    "notice.quality-filed": ("已提出数据质量问题。", "The quality ticket is filed."),
    "notice.quality-answered": ("已答复。", "Answered."),
    "notice.quality-confirmed": ("已确认解决，问题关闭。", "Fix confirmed; the ticket is closed."),
    "notice.quality-reopened": ("已重新打开，重新计算答复期限。", "Reopened, with a new deadline."),
    "notice.quality-withdrawn": ("已撤回。", "Withdrawn."),
    "workbench.quality.to_answer": ("待答复的数据质量问题", "Quality tickets to answer"),
    "workbench.quality.overdue": ("逾期未答复的数据质量问题", "Quality tickets overdue"),
    "workbench.quality.overdue_city": ("全市逾期未答复的数据质量问题", "Quality tickets overdue city-wide"),
    "workbench.quality.to_confirm": ("已答复、待确认的数据质量问题", "Quality answers to confirm"),
    "subject.quality_ticket": ("数据质量问题", "Quality ticket"),
    "subject.quality_round": ("数据质量问题办理轮次", "Quality ticket's round"),
}
LABELS |= {f"quality.kind_{kind}": words for kind, words in rules.KINDS.items()}
LABELS |= {f"quality.outcome_{outcome}": words for outcome, words in rules.OUTCOMES.items()}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
