"""What can go wrong on the consumer's side, in both languages (zh-CN first, like the platform).

Two kinds: ``ClientError`` is the platform's refusal as it answered it (its status, its rule, its sentence in
the language asked for); ``ClientProblem`` is the client's own refusal before anything was sent (a bad file, a
missing key, more items than the contract has left). Neither ever carries an item or a feature value of the
consumer's: a message names a row and a column, never what is in it.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh-CN", "en")

# key → (zh-CN, English); parameters by name.
WORDS: dict[str, tuple[str, str]] = {
    "file.missing": ("找不到文件 {path}。", "The file {path} does not exist."),
    "file.format": (
        "不支持的文件格式 {suffix}：请使用 .csv 或 .xlsx。",
        "Unsupported file format {suffix}: use .csv or .xlsx.",
    ),
    "file.encoding": (
        "{path} 既不是 UTF-8 也不是 GB18030 编码的 CSV 文件。",
        "{path} is a CSV file in neither UTF-8 nor GB18030.",
    ),
    "file.unreadable": ("无法读取 {path}：{reason}。", "{path} cannot be read: {reason}."),
    "file.empty": ("{path} 没有表头行。", "{path} has no header row."),
    "file.no-rows": ("{path} 除表头外没有数据行。", "{path} has no rows below its header."),
    "file.header-duplicate": ("表头中的列名“{column}”重复。", "The header names the column '{column}' twice."),
    "file.column-missing": (
        "文件中没有“{column}”列；现有列：{columns}。",
        "The file has no column '{column}'; its columns are: {columns}.",
    ),
    "file.cell-empty": ("第 {row} 行“{column}”列为空。", "Row {row}, column '{column}' is empty."),
    "file.not-number": (
        "第 {row} 行“{column}”列不是有限的数值。",
        "Row {row}, column '{column}' is not a finite number.",
    ),
    "file.bad-item": (
        "第 {row} 行“{column}”列不是有效的{kind}。",
        "Row {row}, column '{column}' is not a valid {kind_en}.",
    ),
    "file.ragged": (
        "第 {row} 行有 {found} 列，表头有 {expected} 列。",
        "Row {row} has {found} cells; the header has {expected}.",
    ),
    "file.output-format": (
        "不支持的输出格式 {suffix}：请使用 .csv 或 .xlsx。",
        "Unsupported output format {suffix}: use .csv or .xlsx.",
    ),
    "keys.missing": (
        "密钥目录 {path} 中没有密态计算密钥：请先运行 pubdata-client keys new。",
        "The key store {path} holds no scoring key: run pubdata-client keys new first.",
    ),
    "keys.exists": (
        "密钥目录 {path} 中已有密钥；如需替换请加 --force（旧密钥加密的结果将无法再解密）。",
        "The key store {path} already holds a key; add --force to replace it (results under the old key can no "
        "longer be decrypted).",
    ),
    "keys.mismatch": (
        "平台登记的密钥 {registered} 与本机密钥 {local} 不一致。",
        "The platform registered the key {registered}, not this machine's key {local}.",
    ),
    "keys.permissions": (
        "密钥文件 {path} 的权限过宽（{mode}）：应仅本人可读（0600）。",
        "The key file {path} is readable by others ({mode}): it must be 0600.",
    ),
    "flow.protocol": (
        "产品 {product} 提供的是{found}，不是{wanted}。",
        "The product {product} offers {found_en}, not {wanted_en}.",
    ),
    "flow.quota": (
        "本次共 {items} 项，超出合同剩余额度 {left} 项。",
        "{items} items is more than the contract's {left} items left.",
    ),
    "flow.wire-version": (
        "平台使用第 {server} 版协议，本客户端为第 {client} 版：请更新 pubdata-client。",
        "The platform speaks version {server} of the protocol and this client version {client}: update pubdata-client.",
    ),
    "flow.no-items": ("没有要查询的项。", "There are no items to ask about."),
    "flow.setup-size": (
        "下载的集合数据大小（{found} 字节）与平台公布的（{expected} 字节）不符。",
        "The downloaded set data is {found} bytes, not the {expected} the platform announced.",
    ),
    "flow.setup-version": (
        "平台返回的是集合版本 {found}，不是所请求的 {wanted}。",
        "The platform sent set version {found}, not the {wanted} asked for.",
    ),
    "flow.features-missing": (
        "缺少产品所需的特征列：{names}。",
        "Features the product needs are missing: {names}.",
    ),
    "flow.features-length": (
        "特征“{name}”有 {found} 个值，主体有 {expected} 个。",
        "The feature '{name}' has {found} values for {expected} subjects.",
    ),
    "flow.answer": (
        "平台的应答与请求不符（{what}）。",
        "The platform's answer does not fit the request ({what}).",
    ),
    "http.unreachable": ("无法连接平台 {url}：{reason}。", "The platform at {url} cannot be reached: {reason}."),
    "http.status": ("平台返回 HTTP {status}。", "The platform answered HTTP {status}."),
    "cli.token": (
        "缺少 API 令牌：请使用 --token 或环境变量 PUBDATA_TOKEN。",
        "No API token: give --token or set PUBDATA_TOKEN.",
    ),
}

PROTOCOL_WORDS = {
    "psi": ("隐私求交", "private set intersection"),
    "labelled_lookup": ("匿踪标签查询", "labelled lookup"),
    "joint_scoring": ("密态联合评分", "encrypted joint scoring"),
}
ITEM_WORDS = {
    "credit_code": ("统一社会信用代码", "unified social credit code"),
    "resident_id": ("居民身份证号码", "resident ID number"),
}


def sentence(key: str, lang: str, params: dict[str, Any]) -> str:
    zh, en = WORDS[key]
    return (en if lang == "en" else zh).format(**params)


class ClientProblem(Exception):
    """The client's own refusal, before or instead of sending anything."""

    def __init__(self, key: str, /, **params: Any) -> None:
        if key not in WORDS:
            raise KeyError(key)  # an unregistered problem fails where it is raised
        super().__init__(key)
        self.key, self.params = key, params

    def text(self, lang: str = "zh-CN") -> str:
        return sentence(self.key, lang, self.params)

    def __str__(self) -> str:
        return f"[{self.key}] {self.text('en')}"


class ClientError(Exception):
    """The platform's refusal: its HTTP status, the rule it names and its sentence (in the language asked)."""

    def __init__(self, status: int, rule: str, message: str) -> None:
        super().__init__(f"[{rule}] {message}")
        self.status, self.rule, self.message = status, rule, message

    def text(self, lang: str = "zh-CN") -> str:
        return f"{self.message}（{self.rule}）" if lang != "en" else f"{self.message} ({self.rule})"
