"""Privacy computing's words: the refusals of differentially private answers (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS = {
    "sql.dp-shape": (
        403,
        "差分隐私查询的 FROM 须为以个人或单位为单元的表。",
        "A differentially private query's FROM names a table of persons or entities.",
    ),
    "sql.dp-join": (
        403,
        "差分隐私查询只能按单元字段关联每个单元只有一行的表，否则无法限定一人的贡献。",
        "A differentially private query joins only, on its unit, a table with one row per unit: else one "
        "person's contribution is unbounded.",
    ),
    "sql.dp-groups": (
        403,
        "公开取值的组合超过 {limit} 个分组。",
        "The published values combine into more than {limit} groups.",
    ),
    "sql.dp-bounds": (
        403,
        "合约没有给出 {column} 的上下界，无法限定其贡献。",
        "The contract gives no bounds for {column}, so its contribution cannot be bounded.",
    ),
    "sql.dp-aggregate": (
        403,
        "{output}：差分隐私答案支持 COUNT(*)、COUNT(DISTINCT 单元)、SUM、AVG、MEDIAN 和 QUANTILE_CONT。",
        "{output}: differentially private answers support COUNT(*), COUNT(DISTINCT unit), SUM, AVG, MEDIAN and "
        "QUANTILE_CONT.",
    ),
    "sql.dp-calibration": (403, "无法按隐私预算校准噪声。", "The noise could not be calibrated to the privacy budget."),
    "sql.dp-delta": (
        403,
        "差分隐私的 GROUP BY 需要合约中的 δ。",
        "A differentially private GROUP BY needs a δ in the contract.",
    ),
    "privacy.release-unverified": (
        503,
        "这个问题已发布的答案与账本记录不符，暂不能提供；平台已记录此事。",
        "The answer released for this question does not match the ledger and is not served; the platform has "
        "logged it.",
    ),
}

ACTIONS = {
    "privacy.answer-adopt": (
        "账本收录升级前发布的差分隐私答案",
        "DP answer released before the upgrade, taken into the ledger",
    ),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS = {
    "subject.dp_answer": ("差分隐私答案", "Differentially private answer"),
}

LABELS |= {
    "subject.consent": ("授权", "Consent"),
    "subject.consent_use": ("授权使用记录", "Consent use"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)

# --- consent (授权) of data subjects -------------------------------------------------------------------------

CONSENT_REFUSALS = {
    "consent.not-found": (404, "没有这个{what}。", "No such {what}."),
    "consent.missing": (
        403,
        "第 {position} 个主体（{credit_code}）没有授权本机构以该用途使用此产品。",
        "Subject {position} ({credit_code}) has not authorized your organisation to use this product for this purpose.",
    ),
    "consent.not-yet-valid": (
        403,
        "第 {position} 个主体（{credit_code}）的授权尚未开始生效。",
        "The consent of subject {position} ({credit_code}) is not in force yet.",
    ),
    "consent.expired": (
        403,
        "第 {position} 个主体（{credit_code}）的授权已过期。",
        "The consent of subject {position} ({credit_code}) has expired.",
    ),
    "consent.revoked": (
        403,
        "第 {position} 个主体（{credit_code}）已撤回授权。",
        "Subject {position} ({credit_code}) has revoked its consent.",
    ),
    "consent.other-consumer": (
        403,
        "授权只能由被授权的数据使用方本身记录和使用，不能代其他机构记录或使用。",
        "A consent is recorded and used only by the consumer it authorizes, never for another organisation.",
    ),
    "consent.no-credit-code": (
        422,
        "本机构账户没有登记统一社会信用代码，无法授权；请联系市数据资源局补充。",
        "Your organisation's account has no unified social credit code, so it cannot grant consent; ask the "
        "bureau to add it.",
    ),
    "consent.consumer": (422, "请选择一个数据使用方。", "Choose a data consumer."),
    "consent.product": (
        422,
        "产品 {code} 不是已上架、需要主体授权的数据产品（核验服务或企业信用画像）。",
        "Product {code} is not a listed product that needs a subject's consent (a verification or a credit profile).",
    ),
    "consent.purpose-unknown": (
        422,
        "用途 {purpose} 不是公共治理、公益事业、产业发展或行业发展之一。",
        "The purpose {purpose} is not one of public governance, public welfare, industry or sector development.",
    ),
    "consent.purpose": (
        422,
        "该产品不面向「{purpose}」用途提供。",
        "The product is not offered for the purpose “{purpose}”.",
    ),
    "consent.period-order": (422, "授权截止日期早于开始日期。", "The consent ends before it starts."),
    "consent.period-too-long": (
        422,
        "授权期限最长一年，请缩短截止日期。",
        "A consent lasts at most a year: choose an earlier end date.",
    ),
    "consent.period-over": (422, "授权期限已经结束。", "The consent's period is already over."),
    "consent.overlap": (
        409,
        "已有一项同一主体、产品和用途的有效授权（#{consent}）与该期限重叠；如需更改，请先撤回它。",
        "A consent for the same subject, product and purpose (#{consent}) already covers part of this period; "
        "revoke it first to change it.",
    ),
    "consent.credit-code": (
        422,
        "统一社会信用代码格式不正确（18 位，含校验码）。",
        "The unified social credit code is malformed (18 characters with its check character).",
    ),
    "consent.letter-rep-name": (
        422,
        "请填写授权书上法定代表人的姓名（不超过 50 个字）。",
        "Give the legal representative's name as the letter writes it (at most 50 characters).",
    ),
    "consent.letter-missing": (
        422,
        "请上传签署的授权书文件，或填写其 SM3 摘要。",
        "Upload the signed authorization letter, or give its SM3 digest.",
    ),
    "consent.letter-digest": (
        422,
        "授权书的 SM3 摘要应为 64 位十六进制字符。",
        "A letter's SM3 digest is 64 hexadecimal characters.",
    ),
    "consent.letter-digest-differs": (
        422,
        "填写的 SM3 摘要与上传的授权书文件不一致。",
        "The SM3 digest given is not the uploaded letter's.",
    ),
    "consent.letter-size": (
        413,
        "授权书文件不能超过 {limit} MB。",
        "A letter file is at most {limit} MB.",
    ),
    "consent.letter-format": (
        422,
        "授权书文件应为 PDF 文档或 PNG、JPEG 图片。",
        "A letter file is a PDF or an image (PNG, JPEG).",
    ),
    "consent.letter-mismatch": (
        403,
        "授权书与登记信息不符，未予记录；本次核对已记入账本并计入今日核对次数。",
        "The letter does not match the registry entry and was not recorded; the check is in the ledger and counts "
        "against today's letter checks.",
    ),
    "consent.letter-limit": (
        429,
        "本机构今日的授权书核对次数（{limit} 次）已用完，请明日再试。",
        "Your organisation has used today's {limit} letter checks; try again tomorrow.",
    ),
    "consent.registry-unavailable": (
        503,
        "暂时无法核对法人登记信息，请稍后再试。",
        "The legal-entity registry cannot be checked just now; try again later.",
    ),
    # A batch of letters (consent.record_letters): all or none; a letter is named by its position (from 1).
    "consent.batch-size": (
        422,
        "一批授权书应有 1 至 {limit} 封。",
        "A batch holds from 1 to {limit} letters.",
    ),
    "consent.batch-credit-code": (
        422,
        "第 {position} 封授权书的统一社会信用代码格式不正确（18 位，含校验码）；整批未予核对。",
        "Letter {position}: the unified social credit code is malformed (18 characters with its check character); "
        "the batch was not checked.",
    ),
    "consent.batch-rep-name": (
        422,
        "第 {position} 封授权书：请填写法定代表人的姓名（不超过 50 个字）；整批未予核对。",
        "Letter {position}: give the legal representative's name as the letter writes it (at most 50 characters); "
        "the batch was not checked.",
    ),
    "consent.batch-digest": (
        422,
        "第 {position} 封授权书的 SM3 摘要应为 64 位十六进制字符；整批未予核对。",
        "Letter {position}: a letter's SM3 digest is 64 hexadecimal characters; the batch was not checked.",
    ),
    "consent.batch-duplicate": (
        422,
        "第 {position} 封授权书与第 {first} 封是同一主体（{credit_code}）：一批中每个主体只能出现一次；整批未予核对。",
        "Letter {position} names the same subject ({credit_code}) as letter {first}: a batch names each subject "
        "once; the batch was not checked.",
    ),
    "consent.batch-overlap": (
        409,
        "第 {position} 封授权书的主体（{credit_code}）已有同一产品和用途的有效授权（#{consent}）与该期限重叠；"
        "整批未予核对。",
        "Letter {position}: a consent for the same subject ({credit_code}), product and purpose (#{consent}) "
        "already covers part of this period; the batch was not checked.",
    ),
    "consent.batch-limit": (
        429,
        "本批 {count} 封授权书超过本机构今日剩余的核对次数（剩余 {left} 次，每日 {limit} 次）；整批未予核对。",
        "The batch's {count} letters exceed your organisation's letter checks left today ({left} of {limit}); "
        "the batch was not checked.",
    ),
    "consent.batch-mismatch": (
        403,
        "第 {positions} 封授权书与登记信息不符，整批未予记录；本批核对已记入账本并计入今日核对次数。",
        "Letters {positions} do not match the registry entry, so the batch was not recorded; its checks are in "
        "the ledger and count against today's letter checks.",
    ),
    "consent.batch-csv": (
        422,
        "授权书清单应为 UTF-8 编码的 CSV 文件，表头为 统一社会信用代码、法定代表人、授权书SM3（第 {line} 行有误）。",
        "The list of letters is a UTF-8 CSV file with the header credit_code, legal_rep_name, letter_sm3 "
        "(line {line} is wrong).",
    ),
}

CONSENT_ACTIONS = {
    "consent.grant": ("数据主体授权", "Consent granted by its subject"),
    "consent.letter": ("记录书面授权书", "Authorization letter recorded"),
    "consent.letter-refused": ("授权书核对未通过", "Authorization letter refused"),
    "consent.letters-refused": ("一批授权书核对未通过", "Batch of authorization letters refused"),
    "consent.revoke": ("撤回授权", "Consent revoked"),
    "consent.expire": ("授权到期", "Consent expired"),
    "consent.use": ("按授权调用数据产品", "Call relying on consent"),
    "consent.refused": ("调用因缺少有效授权被拒绝", "Call refused for want of consent"),
}

CONSENT_LABELS = {
    "nav.consents": ("授权管理", "Consents"),
    "consent.title": ("授权管理", "Consents"),
    "consent.intro_subject": (
        "这里列出所有以本企业统一社会信用代码为主体的授权（包括数据使用方凭书面授权书记录的），以及每一次使用。"
        "您可以随时撤回任何一项授权。",
        "Every consent about your enterprise's credit code is listed here (letters recorded by consumers too), "
        "with every use of it. You may revoke any of them at any time.",
    ),
    "consent.intro_consumer": (
        "本机构获得的授权。按主体调用的产品（核验、企业信用画像）每次调用都核对有效授权。",
        "The consents your organisation holds. Every per-subject call (verification, credit profile) checks them.",
    ),
    "consent.none": ("还没有授权。", "No consent yet."),
    "consent.id": ("编号", "No."),
    "consent.subject": ("数据主体（统一社会信用代码）", "Subject (credit code)"),
    "consent.credit_code": ("统一社会信用代码", "Unified social credit code"),
    "consent.consumer": ("数据使用方", "Consumer"),
    "consent.product": ("数据产品", "Product"),
    "consent.purpose": ("用途", "Purpose"),
    "consent.period": ("授权期限", "Period"),
    "consent.valid_from": ("开始日期", "Valid from"),
    "consent.valid_until": ("截止日期", "Valid until"),
    "consent.state": ("状态", "State"),
    "consent.via": ("授权方式", "Given by"),
    "consent.uses": ("使用次数", "Uses"),
    "consent.granted_at": ("授权时间", "Granted at"),
    "consent.revoked_at": ("撤回时间", "Revoked at"),
    "consent.letter_sm3": ("授权书 SM3 摘要", "Letter's SM3 digest"),
    "consent.grant": ("授权", "Grant consent"),
    "consent.grant_title": ("新增授权", "Grant a consent"),
    "consent.grant_hint": (
        "授权一个数据使用方在一段期限内（最长一年）以一种用途使用一项数据产品查询本企业。",
        "Authorize one consumer to use one product about your enterprise for one purpose, for a period of at most "
        "a year.",
    ),
    "consent.no_products": (
        "目前没有需要主体授权的已上架产品。",
        "No listed product needs a subject's consent at the moment.",
    ),
    "consent.letter_title": ("记录书面授权书", "Record a signed authorization letter"),
    "consent.letter_hint": (
        "上传企业签署的授权书（扫描件或照片，不超过 8MB），或填写其 SM3 摘要。平台只保存摘要，"
        "并在域内核对统一社会信用代码和法定代表人姓名与法人库登记一致；姓名不会被保存。",
        "Upload the letter the enterprise signed (PDF or image, at most 8 MB) or give its SM3 digest. The platform "
        "keeps the digest only and checks, inside the domain, that the credit code and the legal representative's "
        "name match the legal-entity registry; the name is never kept.",
    ),
    "consent.legal_rep_name": ("法定代表人姓名（仅用于核对，不保存）", "Legal representative (checked, never kept)"),
    "consent.letter_file": ("授权书文件", "Letter file"),
    "consent.letter_or_digest": ("或填写 SM3 摘要", "or its SM3 digest"),
    "consent.record_letter": ("核对并记录", "Check and record"),
    "consent.checks_left": ("今日剩余核对次数", "Letter checks left today"),
    "consent.revoke": ("撤回授权", "Revoke"),
    "consent.detail": ("授权 #{id}", "Consent #{id}"),
    "consent.uses_title": ("使用记录", "Uses"),
    "consent.no_uses": ("还没有被使用过。", "Not used yet."),
    "consent.used_at": ("使用时间", "Used at"),
    "consent.contract": ("使用合约", "Contract"),
    "consent.recent_uses": ("最近的使用", "Recent uses"),
    "consent.back": ("返回授权列表", "Back to consents"),
    "notice.consent_granted": ("已授权。", "Consent granted."),
    "notice.consent_recorded": ("授权书核对一致，已记录授权。", "The letter matched; the consent is recorded."),
    "notice.letters_recorded": (
        "授权书清单逐封核对一致，已全部记录授权。",
        "Every letter of the list matched the registry; the consents are recorded.",
    ),
    "consent.batch_title": ("批量记录授权书", "Record a batch of authorization letters"),
    "consent.batch_hint": (
        "上传授权书清单（CSV，UTF-8，表头 统一社会信用代码、法定代表人、授权书SM3，每行一封，最多 {limit} 封），"
        "同一产品、用途和期限。整批核对：任何一封与登记信息不符，整批都不记录，并列出不符的序号；每封计一次核对。"
        "法定代表人姓名仅用于核对，不保存。",
        "Upload the list of letters (CSV, UTF-8, header credit_code, legal_rep_name, letter_sm3, one letter a row, "
        "at most {limit}) for one product, purpose and period. The batch is checked whole: if any letter does not "
        "match the registry, none is recorded and the positions are listed; each letter counts one check. The "
        "legal representatives' names are checked, never kept.",
    ),
    "consent.batch_file": ("授权书清单（CSV）", "List of letters (CSV)"),
    "consent.record_batch": ("整批核对并记录", "Check and record the batch"),
    "notice.consent_revoked": ("已撤回授权。", "Consent revoked."),
}

declare(labels=CONSENT_LABELS, refusals=CONSENT_REFUSALS, actions=CONSENT_ACTIONS)

# --- privacy computing (隐私计算: privacy.runs) ---------------------------------------------------------------
COMPUTING_REFUSALS = {
    "privacy.not-protocol": (
        409,
        "{code} 不是隐私计算产品（隐私求交、匿踪标签查询或密态联合评分），请按产品页面所示方式调用。",
        "{code} is not a privacy-computing product (private set intersection, labelled lookup or encrypted joint "
        "scoring): call it as its page says.",
    ),
    "privacy.wrong-protocol": (
        409,
        "{code} 运行的协议是{protocol}，请求的协议与之不符。",
        "{code} runs {protocol}; the request is for another protocol.",
    ),
    "privacy.no-contract": (
        403,
        "你的机构没有该产品的有效使用合约：请先申请订阅，经运营机构批准并签署合约后再运行。",
        "Your organisation holds no contract for this product: apply for it, and run it once the operator has "
        "approved and both sides have signed.",
    ),
    "privacy.stale-set": (
        409,
        "请求所针对的集合版本不是当前版本（数据已更新）：请重新获取产品的隐私计算信息后再运行。",
        "The request was made for a set version that is no longer current (the data changed): fetch the "
        "product's privacy offer again and rerun.",
    ),
    "privacy.wrong-key": (
        409,
        "请求所针对的密钥不是该产品当前使用的密钥：请重新获取产品的隐私计算信息（评分：先登记公钥）后再运行。",
        "The request names a key the product does not use now: fetch the product's privacy offer again (scoring: "
        "register your public key first) and rerun.",
    ),
    "privacy.replayed": (
        409,
        "这条消息（随机数）已在本合约下运行过，不能重复使用：请用新的随机数重新生成请求。",
        "This message (its nonce) was already run under this contract and is not answered twice: make the request "
        "again with a new nonce.",
    ),
    "privacy.too-many-items": (
        422,
        "一次最多 {most} 个条目，本次是 {items} 个：请分批运行。",
        "A run takes at most {most} items; this one has {items}. Run it in batches.",
    ),
    "privacy.over-quota": (
        403,
        "合约剩余的条目额度是 {left} 个，本次请求 {items} 个。",
        "The contract has {left} items left; this run asks for {items}.",
    ),
    "privacy.message": (
        422,
        "消息不是该协议的有效消息（格式、大小、条目数或群元素/密文无效）。",
        "The message is not a valid message of this protocol (its format, size, item count, or a group element "
        "or ciphertext).",
    ),
    "privacy.features": (
        422,
        "须按产品定义提供加密特征 {expected}，本次提供的是 {given}。",
        "Send the encrypted features the product defines, {expected}; this request has {given}.",
    ),
    "privacy.subject-repeated": (
        422,
        "第 {position} 个统一社会信用代码与前面的重复。",
        "The unified social credit code at position {position} repeats an earlier one.",
    ),
    "privacy.setup-none": (
        409,
        "密态联合评分没有需要下载的集合文件。",
        "Encrypted joint scoring has no set file to fetch.",
    ),
    "privacy.keys-scoring-only": (
        409,
        "只有密态联合评分产品需要登记请求方的公钥。",
        "Only encrypted joint scoring products take a consumer's public key.",
    ),
}
COMPUTING_ACTIONS = {
    "privacy.key-created": ("生成隐私计算服务端密钥", "Privacy-computing server key made"),
    "privacy.set-built": ("构建隐私计算集合版本", "Privacy-computing set version built"),
    "privacy.setup": ("下载隐私计算集合文件", "Privacy-computing set file fetched"),
    "privacy.consumer-key": ("登记请求方同态加密公钥", "Consumer's public CKKS context registered"),
    "privacy.run-refused": ("拒绝一次隐私计算运行", "Privacy-computing run refused"),
}
COMPUTING_LABELS = {
    "nav.privacy_runs": ("隐私计算记录", "Privacy runs"),
    "privacy_run.protocol_title": ("隐私计算", "Privacy computing"),
    "privacy_run.consumer_learns": ("使用方获知", "The consumer learns"),
    "privacy_run.platform_learns": ("平台获知", "The platform learns"),
    "privacy_run.consumer_learns.psi": (
        "自己的哪些条目在集合中（以及集合的大小）；不获知集合中的其他条目。",
        "Which of its own items are in the set (and the set's size); nothing of the set's other items.",
    ),
    "privacy_run.platform_learns.psi": (
        "只获知本次请求了多少个条目，不获知是哪些条目，也不获知哪些匹配。",
        "Only how many items were asked: not which, nor which matched.",
    ),
    "privacy_run.consumer_learns.labelled_lookup": (
        "自己在集合中的条目各自的标签；不在集合中的条目什么也得不到。",
        "The label of each of its items in the set; nothing for the others.",
    ),
    "privacy_run.platform_learns.labelled_lookup": (
        "只获知本次请求了多少个条目。加密标签表下载一次，在使用方本地查找，平台不获知查了哪些条目。",
        "Only how many items were asked. The encrypted label table is fetched once and looked up on the consumer's "
        "machine, so the platform never learns which items were looked up.",
    ),
    "privacy_run.consumer_learns.joint_scoring": (
        "每个申请企业的联合评分（用自己的密钥解密）；不获知平台的公共特征值。",
        "Each applicant's joint score (decrypted with its own key); not the platform's public feature values.",
    ),
    "privacy_run.platform_learns.joint_scoring": (
        "请求评分的企业（须有企业授权）及其数量；不获知使用方的私有特征，也不获知评分结果。",
        "Which enterprises were scored (each needs its consent) and how many; neither the consumer's private "
        "features nor the scores.",
    ),
    "privacy_run.set_version": ("集合版本", "Set version"),
    "privacy_run.items_unit": ("个条目", "items"),
    "privacy_run.not_built": ("尚未构建（首次运行时构建）。", "Not built yet (built at the first run)."),
    "privacy_run.items_left": ("剩余条目额度", "Items left"),
    "privacy_run.calls_left": ("剩余次数", "runs left"),
    "privacy_run.contract": ("合约", "contract"),
    "privacy_run.no_contract": ("你的机构还没有该产品的使用合约。", "Your organisation has no contract for it yet."),
    "privacy_run.how_title": ("如何运行", "How to run it"),
    "privacy_run.how": (
        "在本机安装客户端，用 API 令牌运行下面的命令：明文条目和特征只在本机处理，发送给平台的只有盲化或加密后的消息。",
        "Install pubdata-client on your own machine and run the command below with an API token: plain items and "
        "features are processed there only; the platform receives only blinded or encrypted messages.",
    ),
    "privacy_run.file_placeholder": ("申请人名单.csv", "applicants.csv"),
    "privacy_run.runs_title": ("隐私计算运行记录", "Privacy-computing runs"),
    "privacy_run.runs_intro": (
        "每次运行都按合约计费并记入账本：产品、协议、集合版本、条目数、时间和运行方。",
        "Every run is charged under its contract and kept in the ledger: product, protocol, set version, items, "
        "when and who.",
    ),
    "privacy_run.id": ("编号", "No."),
    "privacy_run.product": ("产品", "Product"),
    "privacy_run.protocol": ("协议", "Protocol"),
    "privacy_run.items": ("条目数", "Items"),
    "privacy_run.at": ("时间", "When"),
    "privacy_run.who": ("运行方", "Who"),
    "privacy_run.user": ("用户 #{id}", "user #{id}"),
    "privacy_run.none": ("还没有可查看的运行记录。", "No runs to show yet."),
    "subject.privacy_key": ("隐私计算服务端密钥", "Privacy-computing server key"),
    "subject.privacy_set_version": ("隐私计算集合版本", "Privacy-computing set version"),
    "subject.privacy_consumer_key": ("请求方同态加密公钥", "Consumer's public CKKS context"),
}
declare(labels=COMPUTING_LABELS, refusals=COMPUTING_REFUSALS, actions=COMPUTING_ACTIONS)
