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

ACTIONS = {"ledger.payload.read": ("读取存证内容", "Entry payload read")}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
