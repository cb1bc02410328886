"""The ledger's words: page labels, refusals and its own actions (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

LABELS = {
    "ledger.title": ("可信存证账本", "Tamper-evident ledger"),
    "ledger.intro": (
        "每一次状态变更与数据访问都记入默克尔树账本（RFC 9162），树头经平台签名，任何人可验证。",
        (
            "Every state change and data access is a leaf of a Merkle log (RFC 9162); tree heads are signed and "
            "anyone can verify them."
        ),
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
    "ledger.included": (
        "已验证：该条目包含在当前签名树头中。",
        "Verified: the entry is included in the signed tree head.",
    ),
    "ledger.not_included": (
        "验证失败：包含证明与树头不符。",
        "Failed: the inclusion proof does not match the tree head.",
    ),
    "ledger.signature_ok": ("树头签名有效。", "The tree head's signature is valid."),
    "ledger.signature_bad": ("树头签名无效！", "The tree head's signature is NOT valid!"),
    "ledger.audit_path": ("审计路径", "Audit path"),
    "ledger.leaf_hash": ("叶子哈希", "Leaf hash"),
    "ledger.older": ("更早", "Older"),
    "ledger.empty": ("账本为空。", "The ledger is empty."),
}

REFUSALS = {
    "ledger.no-such-entry": (404, "账本中没有第 {seq} 条。", "The ledger has no entry {seq}."),
    "ledger.proof-range": (422, "证明的范围无效：{problem}。", "The proof's range is not valid: {problem}."),
    "ledger.already-signed": (409, "这一方已经签署。", "This side has already signed."),
    "ledger.document-changed": (
        409,
        "文本在前一方签署后已改变，不能签署；请重新提出。",
        "The document changed since an earlier signature and cannot be signed; propose it again.",
    ),
    "ledger.signature-required": (
        409,
        "本机构自持签名密钥（{key_id}）：请用该私钥对以下签署声明做 SM2 签名，提交到 POST /api/v1/ledger/signatures，"
        "再签署：{statement}",
        "Your organisation holds its own signing key ({key_id}): sign this sign-off statement with it (SM2), "
        "submit the signature to POST /api/v1/ledger/signatures, then sign again: {statement}",
    ),
    "ledger.bad-public-key": (
        422,
        "公钥无效：需要 PEM 格式（SubjectPublicKeyInfo）的 SM2 公钥，且为曲线上的点。",
        "The public key is not valid: send an SM2 public key as PEM (SubjectPublicKeyInfo), a point on the curve.",
    ),
    "ledger.key-taken": (409, "此公钥已登记。", "This public key is already registered."),
    "ledger.no-signing-key": (
        409,
        "本机构尚未登记签名公钥，不能签署；请先登记 SM2 公钥。",
        "Your organisation has no registered signing key; register its SM2 public key first.",
    ),
    "ledger.not-a-party": (
        403,
        "只有当事机构的人员能以本机构的签名密钥签署。",
        "Only a person of a party's organisation signs, with that organisation's key.",
    ),
    "ledger.bad-statement": (
        422,
        "签署声明无效：应为平台给出的 pubdata-sign-off/1 声明原文。",
        "The sign-off statement is not valid: send the pubdata-sign-off/1 statement exactly as the platform gave it.",
    ),
    "ledger.bad-signature": (
        422,
        "签名无效：不是已登记公钥（{key_id}）对签署声明的 SM2 签名。",
        "The signature is not valid: it is not an SM2 signature of the sign-off statement by the registered key "
        "({key_id}).",
    ),
    "ledger.row-unverified": (
        503,
        "这条记录与账本不符，本次操作未执行；平台已记录此事。",
        "This record does not match the ledger, so nothing was done; the platform has logged it.",
    ),
}

LABELS |= {
    "ledger.range_inclusion": (
        "第 {seq} 条不在规模为 {tree_size} 的树中",
        "entry {seq} is not inside a tree of size {tree_size}",
    ),
    "ledger.range_consistency": (
        "一致性证明要求 0 < first ≤ second ≤ {current}（当前规模），收到 {first}、{second}",
        "a consistency proof needs 0 < first ≤ second ≤ {current} (the current size); got {first}, {second}",
    ),
}

ACTIONS = {
    "ledger.payload.read": ("读取存证内容", "Entry payload read"),
    "ledger.signature.present": ("提交线下签名", "Off-platform signature submitted"),
    "ledger.key.create": ("平台生成机构签名密钥", "Signing key made by the platform"),
    "ledger.key.register": ("登记机构签名公钥", "Signing public key registered"),
    "ledger.key.retire": ("停用机构签名公钥", "Signing key retired"),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS |= {
    "subject.ledger_entry": ("存证条目", "Ledger entry"),
    "subject.organisation_key": ("机构签名公钥", "Organisation's signing key"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
