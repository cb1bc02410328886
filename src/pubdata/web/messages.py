"""The platform's own words: its name, the menu, common buttons, and the refusals of the web layer and of HTTP
itself (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

LABELS = {
    "platform.name": ("池州市公共数据授权运营平台", "Chizhou public data operation platform"),
    "platform.tagline": ("原始数据不出域，数据可用不可见", "Raw data never leaves the domain: usable, not visible"),
    "nav.home": ("首页", "Home"),
    "nav.organisations": ("机构与用户", "Organisations and users"),
    "nav.ledger": ("可信存证", "Ledger"),
    "nav.tokens": ("API 令牌", "API tokens"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "lang.switch": ("English", "中文"),
    "home.welcome": ("欢迎", "Welcome"),
    "home.signed_in_as": ("当前用户", "Signed in as"),
    "home.public_intro": (
        "本平台受理公共数据资源登记、授权运营与产品服务。所有操作均记入可验证的存证账本。",
        (
            "This platform handles the registration and authorized operation of public data. Every step is recorded "
            "in a verifiable ledger."
        ),
    ),
    "common.active": ("启用", "Active"),
    "common.inactive": ("停用", "Inactive"),
    "common.save": ("保存", "Save"),
    "common.create": ("创建", "Create"),
    "common.optional": ("选填", "optional"),
    "common.actions": ("操作", "Actions"),
    "common.error": ("未能完成", "Not done"),
    "common.done": ("已完成", "Done"),
    "common.back": ("返回", "Back"),
    "common.yes": ("是", "Yes"),
    "common.no": ("否", "No"),
    "nav.catalog": ("数据目录", "Catalogue"),
    "nav.resources": ("数据资源", "Data resources"),
    "nav.registrations": ("登记审核", "Registration review"),
    "nav.agreements": ("授权运营", "Authorization"),
    "nav.security": ("安全监管", "Security oversight"),
    "error.not_found": ("未找到。", "Not found."),
    "error.csrf": ("表单已过期，请重新提交。", "The form expired; please submit it again."),
    "nav.contracts": ("使用合约", "Contracts"),
    "nav.console": ("查询与开发", "Console"),
    "nav.jobs": ("作业", "Jobs"),
}

REFUSALS = {
    "web.csrf": (
        403,
        "表单已过期或来自其他网站；请刷新页面后重新提交。",
        "The form expired or came from another site; reload the page and submit again.",
    ),
    "web.unknown-action": (422, "没有名为 {action} 的操作。", "There is no action {action} here."),
    "web.date": (422, "日期请按 YYYY-MM-DD 填写。", "Give dates as YYYY-MM-DD."),
    "web.number": (422, "{field} 应为数字。", "{field} must be a number."),
    "web.form": (422, "表单中的数字或日期无效。", "A number or date in the form is not valid."),
    "web.confirm-needed": (
        422,
        "此操作不可撤销，请勾选确认后再提交。",
        "This cannot be undone: tick the confirmation and submit again.",
    ),
    "web.reason-needed": (422, "请写明理由。", "Give a reason."),
    "web.bounds": (422, "上下界每行写作“列: 下界, 上界”。", "Write each bound as `column: low, high`."),
    "web.form-invalid": (422, "表单填写有误：{problems}", "The form is not valid: {problems}"),
    "http.body-too-large": (413, "请求体超过 {limit} 字节。", "The request body is larger than {limit} bytes."),
    "http.malformed-json": (400, "请求体不是有效的 JSON。", "The request body is not valid JSON."),
    "http.validation": (
        422,
        "请求的格式与接口不符；逐项问题列在回答的错误列表中。",
        "The request does not match the expected shape; see errors.",
    ),
    "http.page-invalid": (
        422,
        "地址或表单中的 {fields} 无效，请检查后重试。",
        "{fields} in the address or the form is not valid; check it and try again.",
    ),
    "http.400": (400, "请求有误。", "The request is not valid."),
    "http.401": (401, "请先登录或提供 API 令牌。", "Log in or send an API token first."),
    "http.403": (403, "不允许此请求。", "This request is not allowed."),
    "http.404": (404, "没有这个地址。", "There is nothing at this address."),
    "http.405": (405, "此地址不接受这种请求方法。", "This address does not accept this method."),
    "http.internal": (
        500,
        "平台内部出错，未做任何更改。",
        "Something went wrong on our side; nothing was changed.",
    ),
}

LABELS |= {
    "form.field_problem": ("{field}：{problem}", "{field}: {problem}"),
    "confirm.reason": ("理由（必填，将记入存证）", "Reason (required, kept in the ledger)"),
    "confirm.irreversible": ("我确认此操作不可撤销", "I confirm this cannot be undone"),
    "error.next_steps": ("您可以：", "You can:"),
    "error.to_home": ("回到首页", "Go to the home page"),
    # Parameters of page addresses and forms, named in a refusal of the page (``http.page-invalid``).
    "param.page": ("页码", "page"),
    "param.q": ("搜索词", "search"),
    "param.state": ("状态", "state"),
    "param.contract_id": ("合约编号", "contract number"),
    "param.resource_id": ("资源编号", "resource number"),
    "param.registration_id": ("登记编号", "registration number"),
    "param.agreement_id": ("协议编号", "agreement number"),
    "param.job_id": ("作业编号", "job number"),
    "param.organisation_id": ("机构编号", "organisation number"),
    "param.user_id": ("用户编号", "user number"),
    "param.token_id": ("令牌编号", "token number"),
    "param.source_id": ("数据源编号", "source number"),
    "param.seq": ("存证序号", "ledger entry number"),
    "param.code": ("资源代码", "resource code"),
    "notice.saved": ("已保存。", "Saved."),
    "notice.done": ("操作已完成。", "Done."),
}

declare(labels=LABELS, refusals=REFUSALS)
