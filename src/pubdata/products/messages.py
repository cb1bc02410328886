"""Products' words: refusals, ledger actions and labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS: dict[str, tuple[int, str, str]] = {
    "product.not-found": (404, "没有这个{what}。", "No such {what}."),
    "product.kind": (
        422,
        "未知的产品类型；可选：查询模板、核验服务、企业信用画像、统计数据表。",
        "Unknown product kind; use a query template, a verification, a credit profile or a statistical table.",
    ),
    "product.kind-mismatch": (
        422,
        "产品定义的类型与产品类型不一致。",
        "The definition's kind is not the product's kind.",
    ),
    "product.definition": (
        422,
        "产品定义不完整或格式不对（{where}）。",
        "The product definition is incomplete or malformed ({where}).",
    ),
    "product.delivery": (
        422,
        "未知的交付方式；可选：接口调用、批量文件、数据表下载。",
        "Unknown delivery; use API calls, a batch file or a table download.",
    ),
    "product.purposes": (
        422,
        "请选择至少一种用途类别（公共治理、公益事业、产业发展、行业发展）。",
        "Choose at least one purpose category (public governance, public welfare, industry, sector).",
    ),
    "product.purpose-outside": (
        422,
        "用途「{purpose}」超出场景建设方案的用途「{scenario_purpose}」：产品只能用于场景的用途或公共治理、公益事业。",
        "The purpose “{purpose}” is outside the scenario's “{scenario_purpose}”: a product serves its scenario's "
        "purpose, or public governance and public welfare.",
    ),
    "product.scenario-not-approved": (
        422,
        "请选择一个已经批准的场景建设方案：没有经批准的场景，不能开发产品。",
        "Choose an approved scenario plan: no product is built without one.",
    ),
    "product.scenario-operator": (
        422,
        "该场景建设方案不属于您的运营机构（或您不是其运营机构接纳的合伙人）。",
        "The scenario plan is not your operator's (or you are not a partner its operator admitted).",
    ),
    "product.scenario-uncovered": (
        422,
        "场景建设方案不包括数据资源 {codes}：产品只能使用其场景中的资源。",
        "The scenario plan does not include {codes}: a product uses only its scenario's resources.",
    ),
    "product.no-change": (422, "修改内容与现有产品相同。", "The change changes nothing."),
    "product.own-review": (
        403,
        "产品的开发方和运营机构不能审查自己的产品：安全审查由市数据资源局的审核员进行。",
        "A product's developer and operator do not review it: the bureau's reviewers do.",
    ),
    "product.review-decision": (
        422,
        "请以「审查通过」或「退回修改」作出决定。",
        "Decide with approve or return.",
    ),
    "product.review-reason": (
        422,
        "退回修改时请写明理由，以便开发方修改。",
        "Say why it is returned, so the developer can change it.",
    ),
    "product.checklist": (
        422,
        "安全审查清单的「{item}」未通过或没有填写意见：每一项都通过并写明意见后才能审查通过。",
        "The checklist item “{item}” is not passed or has no note: every item must pass, with a note.",
    ),
    "product.changed": (
        409,
        "产品 {code} 的定义在安全审查后已修改：须重新审查并完成变更登记后才能提供。",
        "Product {code} changed since its security review: it is offered again once reviewed and registered.",
    ),
    "product.registration-kind": (
        422,
        "已登记的产品修改后办理变更登记，未登记的产品办理首次登记。",
        "A registered product changed applies for change registration; an unregistered one for first.",
    ),
    "product.cancel-reason": (422, "请说明注销登记的理由。", "Say why the registration is cancelled."),
    "product.registration-open": (
        409,
        "产品 {code} 有一项登记申请正在审核或公示，办结后才能修改。",
        "Product {code} has a registration under review or notice: change it once that is settled.",
    ),
    "product.cancellation-open": (
        409,
        "产品 {code} 正在办理注销登记，不能上架。",
        "Product {code} has a cancellation under way: it cannot be listed.",
    ),
    "product.not-listed": (
        409,
        "产品 {code} 未上架，不能订阅或调用。",
        "Product {code} is not listed: it cannot be subscribed to or called.",
    ),
    "product.scenario": (
        409,
        "产品 {code} 所依据的场景建设方案已不在批准状态，不能提供。",
        "Product {code}'s scenario plan is no longer approved: it is not offered.",
    ),
    "product.out-of-scope": (
        409,
        "产品 {code} 使用的数据资源已超出运营机构的授权范围，不能提供。",
        "Product {code} uses resources outside its operator's authorized scope: it is not offered.",
    ),
    "product.delist-reason": (422, "请说明下架理由。", "Say why it is delisted."),
    "product.job-not-released": (
        409,
        "只有经运营机构和市数据资源局双方放行的作业结果才能发布为统计数据表。",
        "Only a job output released by both the operator and the bureau is published as a statistical table.",
    ),
    "product.job-output": (
        422,
        "该作业没有名为 {output} 的已放行输出文件。",
        "The job has no released output named {output}.",
    ),
    "product.job-operator": (
        422,
        "该作业不是在本运营机构的合约下运行的。",
        "The job was not run under a contract of this operator.",
    ),
    "product.table-fields": (
        422,
        "发布新的统计数据表时，请填写名称、说明、场景建设方案和用途类别。",
        "A new statistical table needs its name, description, scenario plan and purposes.",
    ),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "product.create": ("新建数据产品", "Product created"),
    "product.revise": ("修改数据产品", "Product changed"),
    "product.refused": ("数据产品超出场景范围被拒绝", "Product refused: outside its scenario"),
    "product.review.request": ("申请安全审查", "Security review requested"),
    "product.submit-review": ("数据产品提交安全审查", "Product submitted for security review"),
    "product.review.sign": ("安全审查通过（签署）", "Security review passed (signed)"),
    "product.review.return": ("安全审查退回修改", "Security review returned"),
    "product.approved": ("数据产品通过安全审查", "Product passed its security review"),
    "product.returned": ("数据产品退回修改", "Product returned for changes"),
    "product.submit-registration": ("数据产品提交登记", "Product submitted for registration"),
    "product.registration-return": ("数据产品登记申请被退回", "Product registration returned"),
    "product.registration-reject": ("数据产品不予登记", "Product registration rejected"),
    "product.registered-first": ("数据产品首次登记", "Product registered"),
    "product.registered-change": ("数据产品变更登记", "Product change registered"),
    "product.registered-cancel": ("数据产品注销登记", "Product registration cancelled"),
    "product.list": ("数据产品上架", "Product listed"),
    "product.delist": ("数据产品下架", "Product delisted"),
}
LABELS: dict[str, tuple[str, str]] = {
    "subject.product": ("数据产品", "Product"),
    "subject.product_review": ("安全审查", "Security review"),
    "subject.subscription": ("订阅申请", "Subscription"),
    "nav.products": ("数据产品", "Products"),
    "nav.products_manage": ("产品工作台", "Product workbench"),
    "nav.product_reviews": ("安全审查", "Security reviews"),
    "nav.product_registrations": ("产品登记", "Product registrations"),
    "product.public_title": ("数据产品和服务目录", "Data products and services"),
    "product.public_intro": (
        "经安全审查、登记并上架的数据产品和服务。原始数据不出域，使用方只获得结果。",
        "Products and services that passed the security review, were registered and are listed. Raw data never "
        "leaves the domain: users get answers only.",
    ),
    "product.none": ("暂无上架的数据产品。", "No product is listed yet."),
    "product.code": ("产品编号", "Code"),
    "product.name": ("产品名称", "Name"),
    "product.kind": ("产品类型", "Kind"),
    "product.operator": ("运营机构", "Operator"),
    "product.developer": ("开发方", "Developer"),
    "product.field": ("应用领域", "Field"),
    "product.resources": ("使用的数据资源", "Resources used"),
    "product.registration_number": ("登记编号", "Registration number"),
    "product.delivery": ("交付方式", "Delivery"),
    "product.purposes": ("用途类别", "Purpose categories"),
    "product.description": ("产品说明", "Description"),
    "product.state": ("状态", "State"),
    "product.version": ("版本", "Version"),
    "product.scenario": ("场景建设方案", "Scenario plan"),
    "product.definition": ("产品定义", "Definition"),
    "product.definition_digest": ("定义摘要（SM3）", "Definition digest (SM3)"),
    "product.reviewed_digest": ("已审查的定义摘要", "Reviewed digest"),
    "product.changed_since_review": (
        "定义在安全审查后已修改：须重新审查并办理变更登记。",
        "The definition changed since its review: it must be reviewed and registered again.",
    ),
    "product.parameters": ("参数", "Parameters"),
    "product.outputs": ("输出", "Outputs"),
    "product.sql": ("查询模板 SQL", "Template SQL"),
    "product.job": ("作业", "Job"),
    "product.output_file": ("输出文件", "Output file"),
    "product.reviews": ("安全审查记录", "Security reviews"),
    "product.no_reviews": ("尚未提交安全审查。", "Not yet submitted for review."),
    "product.review_state": ("审查结果", "Result"),
    "product.requested_at": ("申请时间", "Requested"),
    "product.reviewed_at": ("审查时间", "Reviewed"),
    "product.review_reason": ("意见", "Reason"),
    "product.registrations": ("登记记录", "Registrations"),
    "product.no_registrations": ("尚未申请登记。", "No registration yet."),
    "product.actions": ("操作", "Actions"),
    "product.submit_review": ("提交安全审查", "Submit for security review"),
    "product.register_first": ("申请登记", "Apply for registration"),
    "product.register_change": ("申请变更登记", "Apply for change registration"),
    "product.register_cancel": ("申请注销登记", "Apply for cancellation"),
    "product.list_action": ("上架", "List"),
    "product.delist_action": ("下架", "Delist"),
    "product.delist_reason": ("下架理由", "Reason for delisting"),
    "product.revise": ("修改产品", "Change the product"),
    "product.revise_save": ("保存修改", "Save the change"),
    "product.manage_title": ("产品工作台", "Product workbench"),
    "product.manage_intro": (
        "在经批准的场景建设方案下开发数据产品，提交安全审查，登记后上架。",
        "Build products under an approved scenario plan, submit them for review, register and list them.",
    ),
    "product.create_title": ("新建数据产品", "New product"),
    "product.create_save": ("新建", "Create"),
    "product.choose_scenario": ("选择经批准的场景建设方案", "Choose an approved scenario plan"),
    "product.no_scenarios": (
        "还没有经批准的场景建设方案：请先提交场景建设方案，经市数据资源局批准后再开发产品。",
        "No approved scenario plan yet: submit one, and build products once the bureau approves it.",
    ),
    "product.definition_json": ("产品定义（JSON）", "Definition (JSON)"),
    "product.definition_help": (
        "产品定义列明使用的数据资源及计算内容，安全审查按其摘要签署。",
        "The definition names the resources used and what is computed; the review signs its digest.",
    ),
    "product.none_own": ("还没有数据产品。", "No product yet."),
    "product.reviews_title": ("安全审查", "Security reviews"),
    "product.reviews_intro": (
        "逐项核对安全审查清单：数据最小化、输出规则、再识别风险、授权需求、用途相符。每项都通过并写明意见后才能审查通过。",
        "Go through the checklist: minimisation, output rule, re-identification risk, consent need, purpose fit. "
        "Approve only when every item passes, each with a note.",
    ),
    "product.review_queue_empty": ("没有等待安全审查的产品。", "No product waits for its review."),
    "product.checklist_item": ("审查项目", "Item"),
    "product.passed": ("通过", "Passed"),
    "product.note": ("意见", "Note"),
    "product.approve": ("审查通过并签署", "Approve and sign"),
    "product.return": ("退回修改", "Return"),
    "product.return_reason": ("退回理由", "Reason for returning"),
    "product.registrations_title": ("数据产品登记审核", "Product registrations"),
    "product.registrations_intro": (
        "数据产品的首次、变更和注销登记申请：受理后公示，公示期满且异议均已答复后予以登记。",
        "Products' first, change and cancellation applications: accepted ones go on public notice and are "
        "registered when it ends and every objection is answered.",
    ),
    "product.notice": ("公示中", "Under public notice"),
    "product.notice_until": ("公示截止", "Notice until"),
    "product.object": ("提出异议", "Object"),
    "product.object_intro": (
        "公示期内，任何单位和个人都可以对该产品的登记提出异议。",
        "While the notice runs, anyone may object to this product's registration.",
    ),
    "product.notices": ("公示中的数据产品", "Products under public notice"),
    "product.listed_at": ("上架时间", "Listed"),
    "product.home_title": ("数据产品和服务", "Data products and services"),
    "product.browse": ("查看全部数据产品", "All products"),
    "product.kind_help": ("统计数据表请通过「发布统计数据表」提交。", "Publish statistical tables with its own form."),
    "product.publish_title": ("发布统计数据表", "Publish a statistical table"),
    "product.publish_intro": (
        "将经双方放行的作业结果发布为统计数据表；再次发布同一产品即为新版本，须重新审查。",
        "Publish a job output both sides released as a statistical table; publishing again is a new version, "
        "reviewed again.",
    ),
    "product.publish_save": ("发布", "Publish"),
    "product.job_id": ("作业编号", "Job number"),
    "product.existing_code": ("已有产品编号（发布新版本时填写）", "Existing product code (for a new version)"),
    "product.state_filter": ("按状态", "By state"),
    "notice.product-created": ("已新建数据产品。", "The product is created."),
    "notice.product-revised": ("已保存修改，产品回到开发中。", "Saved; the product is back in development."),
    "notice.product-review-submitted": ("已提交安全审查。", "Submitted for the security review."),
    "notice.product-reviewed": ("已记录安全审查结果。", "The review is recorded."),
    "notice.product-registration-submitted": ("已提交登记申请。", "The registration application is submitted."),
    "notice.product-listed": ("产品已上架。", "The product is listed."),
    "notice.product-delisted": ("产品已下架。", "The product is delisted."),
    "workbench.operator.products_returned": ("被退回修改的数据产品", "Products returned for changes"),
    "workbench.operator.products_to_list": ("已登记待上架的数据产品", "Registered products to list"),
    "workbench.bureau.product_reviews": ("待安全审查的数据产品", "Products awaiting security review"),
    "workbench.bureau.product_registrations": ("待审核的数据产品登记", "Product registrations to review"),
    "workbench.bureau.product_objections": ("待答复的数据产品登记异议", "Objections to products to answer"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)

# What products compute (products.definitions, products.compute): definitions, parameters and per-subject calls.
COMPUTE_REFUSALS: dict[str, tuple[int, str, str]] = {
    "product.parameter": (
        422,
        "参数 {parameter}：{problem}",
        "Parameter {parameter}: {problem}",
    ),
    "product.parameter-unused": (
        422,
        "参数 {parameter} 已声明，但模板的 SQL 没有使用它；请删除这个参数，或在筛选条件中使用它。",
        "The parameter {parameter} is declared but the template's SQL does not use it; remove it or use it in a "
        "filter.",
    ),
    "product.outputs": (
        422,
        "输出说明须与模板的输出逐一对应：模板输出 {outputs}，说明的是 {declared}。",
        "The output descriptions must match the template's outputs one to one: it outputs {outputs}, the "
        "descriptions name {declared}.",
    ),
    "product.output-rule": (
        422,
        "产品定义要求的输出规则是{expected}，合约的输出规则是{found}，两者须一致。",
        "The product's definition expects the output rule {expected}; the contract has {found}. They must agree.",
    ),
    "product.group-size": (
        422,
        "产品审查时每组至少 {expected} 个单位，合约的最小分组是 {found}：调用时的规则不能比审查时宽松。",
        "The product was reviewed with groups of at least {expected} units; the contract's minimum is {found}. "
        "A call's rule is never looser than the review's.",
    ),
    "product.wrong-kind": (
        422,
        "这个产品是{kind}，不能这样调用。",
        "This product is {kind} and cannot be called this way.",
    ),
    "product.definition-field": (
        422,
        "资源 {code} 没有{what}所需的字段 {field}（{type}）。",
        "The resource {code} has no field {field} ({type}), which {what} needs.",
    ),
    "product.credit-code": (
        422,
        "第 {position} 个统一社会信用代码无效（须为 18 位，字符和校验位须符合 GB 32100）。",
        "Credit code number {position} is not valid (18 characters, with the characters and check character of "
        "GB 32100).",
    ),
    "product.batch-size": (
        422,
        "一次须查询 1 至 {limit} 个主体，本次是 {count} 个。",
        "A call asks about 1 to {limit} subjects; this one has {count}.",
    ),
    "product.table-output": (
        422,
        "作业 {job} 没有已发布的输出 {output}，或它已不是审查时的那个文件。",
        "Job {job} has no released output {output}, or it is no longer the file that was reviewed.",
    ),
    "product.set-condition": (
        422,
        "集合条件中字段 {field} 的值须为{type}，且比较方式适用于该类型。",
        "The set condition on {field} needs a value of {type}, compared in a way that type allows.",
    ),
    "product.set-key": (
        422,
        "集合的键字段 {field} 在目录中登记的格式不是{kind}。",
        "The set's key field {field} is not catalogued in the format of {kind}.",
    ),
    "product.set-too-large": (
        422,
        "集合超过 {most} 个条目，无法构建。",
        "The set holds more than {most} items and cannot be built.",
    ),
}
COMPUTE_LABELS: dict[str, tuple[str, str]] = {
    "product.parameter.required": ("必须填写。", "is required."),
    "product.parameter.unknown": ("模板没有这个参数。", "is not a parameter of this template."),
    "product.parameter.type": ("须为{type}。", "must be {type}."),
    "product.parameter.minimum": ("不能小于 {minimum}。", "must be at least {minimum}."),
    "product.parameter.maximum": ("不能大于 {maximum}。", "must be at most {maximum}."),
    "product.parameter.choices": ("须为以下之一：{choices}。", "must be one of: {choices}."),
    "product.parameter.length": ("最长 {max_length} 个字符。", "is at most {max_length} characters."),
    "product.parameter.text": (
        "含有控制字符或无效字符，请只填写文字。",
        "holds a control character or an invalid character; type text only.",
    ),
    "product.type.string": ("文本", "text"),
    "product.type.integer": ("整数", "a whole number"),
    "product.type.decimal": ("数值", "a number"),
    "product.type.date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "product.type.boolean": ("是/否（true 或 false）", "true or false"),
    "product.kind.query_template": ("查询模板", "a query template"),
    "product.kind.verification": ("核验", "a verification"),
    "product.kind.credit_profile": ("企业信用画像", "an enterprise credit profile"),
    "product.kind.statistical_table": ("统计表", "a statistical table"),
    "product.kind.private_set": ("隐私求交", "a private set intersection"),
    "product.kind.labelled_lookup": ("匿踪标签查询", "a labelled lookup"),
    "product.kind.joint_scoring": ("密态联合评分", "an encrypted joint scoring"),
    "product.item.credit_code": ("统一社会信用代码", "a unified social credit code"),
    "product.item.resident_id": ("公民身份号码", "a resident ID number"),
    "product.output-rule.aggregate": ("最小分组（k）规则", "the minimum group size (k)"),
    "product.output-rule.dp": ("差分隐私", "differential privacy"),
}
declare(labels=COMPUTE_LABELS, refusals=COMPUTE_REFUSALS)

# --- calls ---------------------------------------------------------------------------------------
CALL_REFUSALS = {
    "call.no-contract": (
        403,
        "你的机构没有该产品的有效使用合约：请先申请订阅，经运营机构批准并签署合约后再调用。",
        "Your organisation holds no contract for this product: apply for it, and call it once the operator has "
        "approved and both sides have signed.",
    ),
    "call.contract-stale": (
        409,
        "该产品的定义自签订合约以来已经变更：请重新申请订阅。",
        "The product's definition has changed since the contract was made: apply for it again.",
    ),
    "call.subjects-needed": (
        422,
        "请列出要查询的企业统一社会信用代码（至少 1 个，最多 {most} 个）。",
        "List the enterprises' unified social credit codes to ask about (1 to {most}).",
    ),
    "call.subjects-unexpected": (
        422,
        "该产品不是按企业逐一应答的产品，请不要提交企业名单。",
        "This product does not answer per enterprise: send no list of subjects.",
    ),
    "call.parameters-unexpected": (
        422,
        "该产品不接受参数。",
        "This product takes no parameters.",
    ),
    "call.subject-invalid": (
        422,
        "第 {position} 个统一社会信用代码格式或校验位有误。",
        "The unified social credit code at position {position} is malformed or its check character is wrong.",
    ),
    "call.subject-repeated": (
        422,
        "第 {position} 个统一社会信用代码与前面的重复。",
        "The unified social credit code at position {position} repeats an earlier one.",
    ),
    "call.kind": (
        409,
        "该类产品暂不支持在线调用。",
        "Products of this kind cannot be called online yet.",
    ),
    "call.protocol-product": (
        409,
        "{code} 是隐私计算产品（{protocol}），请在本机用 pubdata-client 运行（pubdata-client {command} {code} …），"
        "你的明文数据不离开本机。",
        "{code} is a privacy-computing product ({protocol}): run it with pubdata-client on your own machine "
        "(pubdata-client {command} {code} …), so your data never leaves it in the clear.",
    ),
}
CALL_LABELS = {"call.column.credit_code": ("统一社会信用代码", "Unified social credit code")}
CALL_ACTIONS = {
    "product.call-refused": ("拒绝一次产品调用", "Product call refused"),
}
declare(labels=CALL_LABELS, refusals=CALL_REFUSALS, actions=CALL_ACTIONS)

# --- subscriptions -------------------------------------------------------------------------------
SUBSCRIPTION_REFUSALS = {
    "subscription.not-found": (404, "没有这个{what}。", "No such {what}."),
    "subscription.purpose": (
        422,
        "用途「{purpose}」不在该产品提供的用途之内，或与其场景的用途类别不符。",
        "The purpose “{purpose}” is not one the product is offered for, or does not fit its scenario's category.",
    ),
    "subscription.quota": (
        422,
        "调用次数上限应为 1 到 {most} 之间的整数。",
        "The call quota is a whole number from 1 to {most}.",
    ),
    "subscription.window": (
        422,
        "有效期有误：起始日期不得早于今天，截止日期不得早于起始日期，且不超过三年。",
        "The validity is wrong: it starts today or later, ends on or after its start, and lasts at most three years.",
    ),
    "subscription.use": (422, "请说明数据的具体用途。", "Say what the data will be used for."),
    "subscription.pending": (
        409,
        "该产品已有一份待审批的订阅申请。",
        "An application for this product is already waiting for a decision.",
    ),
    "subscription.reason": (422, "不予批准时请说明理由。", "Say why the application is rejected."),
}
SUBSCRIPTION_ACTIONS = {
    "subscription.apply": ("申请订阅数据产品", "Product subscription applied for"),
    "subscription.approve": ("批准订阅并生成使用合约", "Subscription approved, contract generated"),
    "subscription.reject": ("不予批准订阅", "Subscription rejected"),
    "subscription.withdraw": ("撤回订阅申请", "Subscription withdrawn"),
}
declare(refusals=SUBSCRIPTION_REFUSALS, actions=SUBSCRIPTION_ACTIONS)

# --- workbench figures of subscriptions and calls ---------------------------------------
declare(
    labels={
        "workbench.consumer.subscriptions_to_sign": ("待签署的产品合约", "Product contracts to sign"),
        "workbench.operator.subscriptions": ("待审批的订阅申请", "Subscription applications to decide"),
        "workbench.chart.product_calls": ("本月各产品调用次数", "Calls this month by product"),
        "workbench.series.product_calls": ("调用次数", "Calls"),
    }
)

# --- the consumer's subscription and call pages --------------------------------------------------
CALL_PAGE_LABELS = {
    "nav.subscriptions": ("产品订阅", "Subscriptions"),
    "subscription.title": ("产品订阅", "Product subscriptions"),
    "subscription.applications": ("订阅申请", "Applications"),
    "subscription.none": ("还没有订阅申请。", "No applications yet."),
    "subscription.product": ("数据产品", "Product"),
    "subscription.consumer": ("申请机构", "Applicant"),
    "subscription.purpose": ("用途类别", "Purpose"),
    "subscription.use": ("具体用途", "Use"),
    "subscription.max_calls": ("调用次数上限", "Call quota"),
    "subscription.valid": ("有效期", "Validity"),
    "subscription.valid_from": ("起始日期", "Valid from"),
    "subscription.valid_until": ("截止日期", "Valid until"),
    "subscription.state": ("状态", "State"),
    "subscription.contract": ("使用合约", "Contract"),
    "subscription.reason": ("理由", "Reason"),
    "subscription.applied_at": ("申请时间", "Applied"),
    "subscription.apply": ("申请订阅", "Apply"),
    "subscription.apply_for": ("申请订阅：{name}", "Apply for {name}"),
    "subscription.approve": ("批准并生成合约", "Approve and generate the contract"),
    "subscription.reject": ("不予批准", "Reject"),
    "subscription.withdraw": ("撤回申请", "Withdraw"),
    "subscription.sign": ("签署合约", "Sign the contract"),
    "subscription.call": ("调用产品", "Call the product"),
    "subscription.contract_state": ("合约状态", "Contract state"),
    "subscription.calls_used": ("已调用", "Calls made"),
    "subscription.applied": ("订阅申请已提交，等待运营机构审批。", "Applied: the operator will decide."),
    "subscription.approved": ("已批准，已生成使用合约。", "Approved: the contract is generated."),
    "subscription.signed": ("合约已签署。", "The contract is signed."),
    "call.title": ("调用：{name}", "Call: {name}"),
    "call.parameters": ("查询参数", "Parameters"),
    "call.range": ("取值范围 {low} 至 {high}", "from {low} to {high}"),
    "call.subjects": ("企业统一社会信用代码（每行一个）", "Unified social credit codes (one per line)"),
    "call.upload": (
        "或上传 CSV 文件（第一列为统一社会信用代码）",
        "Or upload a CSV (credit codes in its first column)",
    ),
    "call.upload_button": ("上传并查询", "Upload and ask"),
    "call.submit": ("查询", "Ask"),
    "call.answer": ("查询结果", "Answer"),
    "call.answered": ("已查询，结果如下；刷新页面不会再次调用。", "Answered; reloading does not call again."),
    "call.no_rows": ("没有结果。", "No rows."),
    "call.download_csv": ("下载 CSV", "Download CSV"),
    "call.download_xlsx": ("下载 Excel", "Download Excel"),
    "call.contract": ("使用合约 #{id}：剩余调用 {left} 次", "Contract #{id}: {left} calls left"),
    "call.no_contract": (
        "你的机构还没有该产品的有效合约。",
        "Your organisation has no active contract for this product.",
    ),
    "call.privacy": ("差分隐私：本次消耗 ε {epsilon}", "Differential privacy: ε {epsilon} spent"),
    "call.kind": ("产品类型", "Kind"),
    "call.yes": ("是", "yes"),
    "call.no": ("否", "no"),
    "call.description": ("产品说明", "Description"),
}
CALL_PAGE_REFUSALS = {
    "call.upload-unreadable": (
        422,
        "无法读取上传的文件：请上传 UTF-8 或 GB18030 编码、不超过 {most} KiB 的 CSV 文件。",
        "The upload cannot be read: send a CSV in UTF-8 or GB18030 of at most {most} KiB.",
    ),
    "call.export-kind": (404, "没有这种下载格式。", "No such download format."),
}
declare(labels=CALL_PAGE_LABELS, refusals=CALL_PAGE_REFUSALS)
