"""Words the pages show, zh-CN first with English beside it.

A page asks ``translate(key, lang)``; a missing key is a bug, so it raises instead of showing the key.
"""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"

MESSAGES: dict[str, tuple[str, str]] = {
    "platform.name": ("池州市公共数据授权运营平台", "Chizhou public data operation platform"),
    "platform.tagline": ("原始数据不出域，数据可用不可见", "Raw data never leaves the domain: usable, not visible"),
    "nav.home": ("首页", "Home"),
    "nav.organisations": ("机构与用户", "Organisations and users"),
    "nav.ledger": ("可信存证", "Ledger"),
    "nav.tokens": ("API 令牌", "API tokens"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "lang.switch": ("English", "中文"),
    "login.title": ("登录", "Log in"),
    "login.login": ("账号", "Login"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("账号或密码错误。", "Wrong login or password."),
    "home.welcome": ("欢迎", "Welcome"),
    "home.signed_in_as": ("当前用户", "Signed in as"),
    "home.public_intro": (
        "本平台受理公共数据资源登记、授权运营与产品服务。所有操作均记入可验证的存证账本。",
        "This platform handles the registration and authorized operation of public data. Every step is recorded in a verifiable ledger.",
    ),
    "org.list": ("机构", "Organisations"),
    "org.name": ("名称", "Name"),
    "org.kind": ("类型", "Kind"),
    "org.credit_code": ("统一社会信用代码", "Unified social credit code"),
    "org.status": ("状态", "Status"),
    "org.create": ("新建机构", "New organisation"),
    "org.users": ("用户", "Users"),
    "common.active": ("启用", "Active"),
    "common.inactive": ("停用", "Inactive"),
    "common.save": ("保存", "Save"),
    "common.create": ("创建", "Create"),
    "common.optional": ("选填", "optional"),
    "common.actions": ("操作", "Actions"),
    "common.error": ("未能完成", "Not done"),
    "common.done": ("已完成", "Done"),
    "common.back": ("返回", "Back"),
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
    "ledger.title": ("可信存证账本", "Tamper-evident ledger"),
    "ledger.intro": (
        "每一次状态变更与数据访问都记入默克尔树账本（RFC 9162），树头经平台签名，任何人可验证。",
        "Every state change and data access is a leaf of a Merkle log (RFC 9162); tree heads are signed and anyone can verify them.",
    ),
    "ledger.tree_head": ("当前树头", "Current tree head"),
    "ledger.size": ("条目数", "Size"),
    "ledger.root": ("根哈希", "Root hash"),
    "ledger.hash": ("哈希算法", "Hash"),
    "ledger.signature": ("签名", "Signature"),
    "ledger.key": ("签名公钥", "Signing key"),
    "ledger.latest": ("最新条目", "Latest entries"),
    "ledger.seq": ("序号", "Seq"),
    "ledger.time": ("时间", "Time"),
    "ledger.actor": ("操作者", "Actor"),
    "ledger.action": ("动作", "Action"),
    "ledger.subject": ("对象", "Subject"),
    "ledger.check": ("验证条目的包含证明", "Check an entry's inclusion proof"),
    "ledger.check_submit": ("验证", "Verify"),
    "ledger.included": ("已验证：该条目包含在当前签名树头中。", "Verified: the entry is included in the signed tree head."),
    "ledger.not_included": ("验证失败：包含证明与树头不符。", "Failed: the inclusion proof does not match the tree head."),
    "ledger.signature_ok": ("树头签名有效。", "The tree head's signature is valid."),
    "ledger.signature_bad": ("树头签名无效！", "The tree head's signature is NOT valid!"),
    "ledger.audit_path": ("审计路径", "Audit path"),
    "ledger.leaf_hash": ("叶子哈希", "Leaf hash"),
    "ledger.older": ("更早", "Older"),
    "ledger.empty": ("账本为空。", "The ledger is empty."),
    "error.not_found": ("未找到。", "Not found."),
    "error.csrf": ("表单已过期，请重新提交。", "The form expired; please submit it again."),
}



def translate(key: str, lang: str) -> str:
    zh, en = MESSAGES[key]
    return en if lang == "en" else zh


def pick(names: tuple[str, str], lang: str) -> str:
    """Choose from a (zh, en) pair kept elsewhere (organisation kinds, roles)."""
    return names[1] if lang == "en" else names[0]
