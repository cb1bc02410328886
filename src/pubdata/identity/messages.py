"""Identity's words: page labels, refusals and ledger actions (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import PERSONAL, Declared, declare

LABELS = {
    "login.title": ("登录", "Log in"),
    "login.login": ("账号", "Login"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("账号或密码错误。", "Wrong login or password."),
    "org.list": ("机构", "Organisations"),
    "org.id": ("编号", "ID"),
    "org.name": ("名称", "Name"),
    "org.kind": ("类型", "Kind"),
    "org.credit_code": ("统一社会信用代码", "Unified social credit code"),
    "org.credit_code_when": ("数据主体（企业）必填，其他可不填", "required for a data subject, else optional"),
    "org.status": ("状态", "Status"),
    "org.create": ("新建机构", "New organisation"),
    "org.users": ("用户", "Users"),
    "user.login": ("账号", "Login"),
    "user.display_name": ("姓名", "Display name"),
    "user.role": ("角色", "Role"),
    "user.password": ("初始密码", "Initial password"),
    "user.create": ("新建用户", "New user"),
    "user.deactivate": ("停用", "Deactivate"),
    "user.activate": ("启用", "Activate"),
    "token.title": ("API 令牌", "API tokens"),
    "token.name": ("名称", "Name"),
    "token.days": ("有效天数", "Valid for (days)"),
    "token.expires": ("到期", "Expires"),
    "token.create": ("生成令牌", "Create token"),
    "token.revoke": ("吊销", "Revoke"),
    "token.revoked": ("已吊销", "Revoked"),
    "token.shown_once": ("请立即复制，此令牌只显示一次：", "Copy it now; this token is shown only once:"),
    "password.title": ("修改密码", "Change password"),
    "password.current": ("当前密码", "Current password"),
    "password.new": ("新密码", "New password"),
    "password.again": ("再次输入新密码", "New password again"),
    "password.rule": (
        "新密码至少 {n} 个字符，且不能包含账号。修改后，您在其他浏览器中的登录将全部退出。",
        "At least {n} characters, without your login. Your logins in other browsers end when you change it.",
    ),
    "password.submit": ("修改密码", "Change password"),
    "password.must_change": (
        "管理员已为您重置密码：请先设置新密码，再继续使用平台。",
        "An admin reset your password: set a new one before you go on.",
    ),
    "password.changed": ("密码已修改，其他浏览器中的登录已退出。", "Password changed; your other logins have ended."),
    "password.reset": ("重置密码", "Reset password"),
    "password.reset_explained": (
        "将生成一次性临时密码（只显示一次），此同事的所有浏览器登录随即退出，下次登录时必须修改密码。",
        "A one-time temporary password is made (shown once); this colleague's browser logins end, and the next "
        "login must change it.",
    ),
    "password.reset_title": ("临时密码", "Temporary password"),
    "password.reset_shown_once": (
        "请将此临时密码当面或通过安全渠道交给 {login}；它只显示这一次，对方下次登录时必须修改：",
        "Hand this temporary password to {login} in person or over a safe channel; it is shown only once and "
        "must be changed at the next login:",
    ),
    "password.back": ("返回机构用户列表", "Back to the organisation's users"),
}

REFUSALS = {
    "identity.not-found": (404, "没有这个{what}。", "No such {what}."),
    "identity.permission": (
        403,
        "您的角色（{role}）无权{permission}；如确有需要，请联系本机构管理员。",
        "Your role ({role}) may not {permission}; ask your organisation's admin if you need to.",
    ),
    "identity.no-credentials": (
        401,
        "请以 `Authorization: Bearer pdt_…` 发送 API 令牌。",
        "Send an API token as `Authorization: Bearer pdt_…`.",
    ),
    "identity.bad-credentials": (401, "账号或密码错误。", "Wrong login or password."),
    "identity.bad-token": (401, "API 令牌无效。", "The API token is not valid."),
    "identity.token-revoked": (
        401,
        "此 API 令牌已吊销，请生成新的令牌。",
        "This API token was revoked; create a new one.",
    ),
    "identity.token-expired": (
        401,
        "此 API 令牌已过期，请生成新的令牌。",
        "This API token has expired; create a new one.",
    ),
    "identity.account-inactive": (401, "此账号已停用。", "This account is deactivated."),
    "identity.organisation-kind": (
        422,
        "未知的机构类型 {kind}；可选：{kinds}。",
        "Unknown organisation kind {kind}; use one of {kinds}.",
    ),
    "identity.credit-code": (
        422,
        "统一社会信用代码无效（GB 32100 校验位不符）。",
        "The unified social credit code is not valid (GB 32100 check character).",
    ),
    "identity.organisation-exists": (409, "已有名为「{name}」的机构。", "An organisation named {name} already exists."),
    "identity.subject-credit-code": (
        422,
        "数据主体（企业）账户须登记其统一社会信用代码：授权以它指明主体。",
        "A data subject's account needs its unified social credit code: its consents name it by that code.",
    ),
    "identity.credit-code-taken": (
        409,
        "另一机构已使用此统一社会信用代码。",
        "Another organisation already has this credit code.",
    ),
    "identity.role": (422, "未知的角色 {role}；可选：{roles}。", "Unknown role {role}; use one of {roles}."),
    "identity.login-format": (
        422,
        "账号为 3–64 个字符：小写字母、数字、“.”“_”或“-”，以字母开头。",
        "A login is 3–64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter.",
    ),
    "identity.password-policy": (422, "密码不符合要求：{problem}", "The password is refused: {problem}"),
    "identity.login-taken": (409, "账号 {login} 已被使用。", "The login {login} is taken."),
    "identity.self-deactivate": (422, "不能停用自己的账号。", "You cannot deactivate your own account."),
    "identity.token-lifetime": (422, "令牌有效期为 1 至 366 天。", "A token lives between 1 and 366 days."),
    "identity.no-such-login": (404, "没有账号为 {login} 的用户。", "No user has the login {login}."),
    "identity.wrong-password": (
        422,
        "当前密码不正确：修改密码须先输入当前密码。",
        "The current password is wrong: changing a password needs the current one.",
    ),
    "identity.password-unchanged": (
        422,
        "新密码不能与当前密码相同。",
        "The new password must differ from the current one.",
    ),
    "identity.password-mismatch": (
        422,
        "两次输入的新密码不一致。",
        "The two new passwords do not match.",
    ),
    "identity.not-a-colleague": (
        403,
        "只能重置本机构同事的密码：此用户不属于您的机构。",
        "You can reset only a colleague's password: this user is not of your organisation.",
    ),
    "identity.password-change-required": (
        403,
        "管理员已重置您的密码：请先登录网页修改密码，再使用接口。",
        "An admin reset your password: change it on the web pages before using the API.",
    ),
    "identity.reset-own": (
        422,
        "不能重置自己的密码：请在“修改密码”中输入当前密码后修改。",
        "You cannot reset your own password: change it with your current one instead.",
    ),
}

# Every action about a person's account, credentials or sessions is PERSONAL: the public ledger keeps it in the
# tree and shows it as an internal operation. An organisation's own creation is public.
ACTIONS: dict[str, Declared] = {
    "identity.organisation.create": ("新建机构", "Organisation created"),
    "identity.organisation.deactivate": ("停用机构", "Organisation deactivated"),
    "identity.user.create": ("新建用户", "User created", PERSONAL),
    "identity.user.activate": ("启用用户", "User activated", PERSONAL),
    "identity.user.deactivate": ("停用用户", "User deactivated", PERSONAL),
    "identity.user.reset-password": ("重置密码", "Password reset", PERSONAL),
    "identity.user.change-password": ("修改密码", "Password changed", PERSONAL),
    "identity.token.issue": ("生成 API 令牌", "API token issued", PERSONAL),
    "identity.token.revoke": ("吊销 API 令牌", "API token revoked", PERSONAL),
    "identity.session.open": ("登录", "Signed in", PERSONAL),
    "identity.session.close": ("退出登录", "Signed out", PERSONAL),
}

LABELS |= {
    "password.too_short": ("至少需要 {n} 个字符", "at least {n} characters"),
    "password.contains_login": ("不能包含账号", "it must not contain the login"),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS |= {
    "subject.organisation": ("机构", "Organisation"),
    # Entries about these are personal (shown as 内部操作); named all the same, so every audited row has a name.
    "subject.app_user": ("用户账号", "User account"),
    "subject.api_token": ("接口令牌", "API token"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
