"""The catalogue's words: page labels, refusals and ledger actions (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

LABELS = {
    "catalog.title": ("公共数据资源目录", "Public data resource catalogue"),
    "catalog.intro": (
        "已登记的公共数据资源（仅元数据，不含任何数据值）。",
        "Registered public data resources (metadata only, never values).",
    ),
    "catalog.search": ("搜索", "Search"),
    "catalog.keyword": ("关键词", "Keyword"),
    "catalog.all": ("全部", "All"),
    "catalog.total": ("共 {n} 项", "{n} in all"),
    "catalog.none": ("没有符合条件的资源。", "No resource matches."),
    "catalog.notices": ("登记公示", "Registrations in public notice"),
    "catalog.notices_intro": (
        "以下登记申请正在公示，公示期满无异议后予以登记。",
        "These applications are in their public notice period; they are registered when it ends without objection.",
    ),
    "resource.code": ("资源代码", "Code"),
    "resource.name": ("资源名称", "Name"),
    "resource.description": ("资源描述", "Description"),
    "resource.provider": ("提供部门", "Provider"),
    "resource.sector": ("所属领域", "Sector"),
    "resource.base_library": ("基础库", "Base library"),
    "resource.update_frequency": ("更新频率", "Update frequency"),
    "resource.time_span": ("时间范围", "Time span"),
    "resource.sharing": ("共享属性", "Sharing"),
    "resource.opening": ("开放属性", "Opening"),
    "resource.declared_grade": ("申报分级", "Declared grade"),
    "resource.grade": ("分类分级", "Grade"),
    "resource.processing": ("允许的加工方式", "Allowed processing"),
    "resource.state": ("状态", "State"),
    "resource.registration_number": ("登记编号", "Registration number"),
    "resource.fields": ("数据项", "Fields"),
    "resource.new": ("新建数据资源", "Describe a new resource"),
    "resource.edit": ("编辑描述", "Edit description"),
    "resource.change": ("申请变更登记", "Apply for a change registration"),
    "resource.mine": ("本部门数据资源", "Our data resources"),
    "resource.all": ("全部数据资源", "All data resources"),
    "resource.versions": ("数据版本", "Data versions"),
    "resource.no_versions": ("尚未加载数据。", "No data loaded yet."),
    "resource.load": ("加载数据", "Load data"),
    "resource.file": ("数据文件（CSV/Excel/Parquet）", "Data file (CSV/Excel/Parquet)"),
    "resource.confirm_not_sensitive": (
        "确认以下字段不是个人信息（逗号分隔）",
        "Confirm these fields are not personal data (comma-separated)",
    ),
    "resource.load_ok": ("加载成功：第 {n} 版，{rows} 行。", "Loaded: version {n}, {rows} rows."),
    "resource.load_refused": (
        "未加载任何数据：发现 {n} 个问题，请修改文件后重新加载。",
        "Nothing was loaded: {n} problem(s). Fix the file and load it again.",
    ),
    "resource.lookalikes": ("疑似个人信息的字段", "Fields that look like personal data"),
    "usage.title": ("使用情况", "Who uses it"),
    "usage.contract": ("合约编号", "Contract"),
    "usage.assignee": ("使用方", "User"),
    "usage.purpose": ("用途", "Purpose"),
    "usage.state": ("合约状态", "State"),
    "usage.valid": ("有效期", "Valid"),
    "usage.calls_used": ("已调用 / 上限", "Calls made / allowed"),
    "usage.calls": ("调用次数", "Calls"),
    "usage.per_month": ("每月调用次数", "Calls per month"),
    "usage.none": ("尚无合约使用本资源。", "No contract uses this resource yet."),
    "usage.no_calls": ("尚无调用。", "No calls yet."),
    "resource.keep_good_rows": (
        "保留通过校验的行，并报告未通过的行（默认：有任何问题则整份文件不加载）",
        "Keep the rows that pass and report the others (by default a file with any problem is not loaded)",
    ),
    "resource.load_partial": (
        "加载成功：第 {n} 版，保留 {kept} 行，未通过校验的 {rejected} 行未加载。",
        "Loaded: version {n}, {kept} rows kept; {rejected} rows that failed the checks were left out.",
    ),
    "resource.rejected_rows": ("未加载行数", "Rows left out"),
    "resource.report_csv": (
        "下载问题报告（CSV：行、列、规则）",
        "Download the problem report (CSV: row, column, rule)",
    ),
    "resource.report_shown": (
        "共 {n} 个问题，下面列出前 {shown} 个；不显示任何数据值。",
        "{n} problem(s); the first {shown} are listed. No value is shown.",
    ),
    "resource.preview": ("脱敏样例", "Masked sample"),
    "resource.show_preview": ("查看脱敏样例", "Show a masked sample"),
    "resource.registrations": ("登记记录", "Registrations"),
    "resource.submit_first": ("申请首次登记", "Apply for first registration"),
    "resource.submit_cancel": ("申请注销登记", "Apply for cancellation"),
    "resource.rows": ("行数", "Rows"),
    "resource.checksum": ("校验值", "Checksum"),
    "resource.loaded_at": ("加载时间", "Loaded at"),
    "resource.encoding": ("编码", "Encoding"),
    "field.name": ("字段名", "Name"),
    "field.label": ("中文名称", "Label"),
    "field.type": ("类型", "Type"),
    "field.format": ("格式校验", "Format"),
    "field.required": ("必填", "Required"),
    "field.sensitivity": ("个人信息属性", "Sensitivity"),
    "field.pipl_category": ("敏感类别", "PIPL category"),
    "field.masking": ("脱敏规则", "Masking"),
    "field.description": ("说明", "Description"),
    "field.add": ("添加字段", "Add a field"),
    "field.values": ("公开取值", "Published values"),
    "field.values_hint": ("如 贵池区、东至县（仅非个人文本字段）", "e.g. 贵池区、东至县 (non-personal text only)"),
    "field.no_format": ("无", "None"),
    "field.refused_here": ("请修改此项", "Please correct this"),
    "resource.described": ("已保存数据资源描述。", "The resource description was saved."),
    "resource.described_raised": (
        "已保存数据资源描述。部分字段的个人信息属性提高了资源分级，原因见下方说明。",
        "The description was saved. Some fields' sensitivity raised the resource's grade: see why below.",
    ),
    "resource.change_submitted": ("已提交变更登记申请。", "The change registration was submitted."),
    "resource.loaded": ("数据已加载。", "The data was loaded."),
    "field.no_category": ("（非敏感）", "(not sensitive)"),
    "field.default_masking": ("按属性默认", "Default for its sensitivity"),
    "field.suggested": ("建议", "Suggested"),
    "field.row_problem": ("此行填写有误，见页首说明。", "This row has a problem: see the message above."),
    "field.rows_hint": (
        "资源有多少字段就填多少行；空行将被忽略。",
        "Fill in one row per field of the resource; empty rows are ignored.",
    ),
    "sample.title": ("从样例文件识别字段", "Describe the fields from a sample file"),
    "sample.intro": (
        "上传 CSV（UTF-8 或 GB18030 编码）或 Excel（.xlsx）样例文件，平台只读取表头和前 200 行，识别各列的类型和格式，"
        "并根据列名和格式建议个人信息属性和脱敏规则；样例不会保存，其中的数据值也不会显示。",
        "Send a sample CSV (UTF-8 or GB18030) or Excel (.xlsx) file: the platform reads only its header and first 200 "
        "rows, recognises each column's type and format, and suggests sensitivity and masking from the column's name "
        "and format. The sample is not kept and none of its values is shown.",
    ),
    "sample.file": ("样例文件", "Sample file"),
    "sample.read": ("识别字段", "Read the fields"),
    "sample.done": (
        "已从样例识别出 {n} 个字段，请核对并补充后保存。",
        "{n} fields read from the sample: check and complete them, then save.",
    ),
    "grade.raised": (
        "申报分级为「{declared}」，按就高从严原则，资源分级为「{grade}」，原因如下：",
        "The declared grade is “{declared}”; by the stricter-rule principle the resource is graded “{grade}”, because:",
    ),
    "grade.reason": (
        "字段「{label}」为{sensitivity}，要求资源至少为「{grade}」。",
        "the field “{label}” is {sensitivity}, which requires at least “{grade}”.",
    ),
    "catalog.in_notice": ("公示中", "In public notice"),
    "catalog.notice_until_shanghai": (
        "公示期至 {day}（北京时间）24 时止",
        "The public notice runs to the end of {day} (Beijing time)",
    ),
    "catalog.object": ("提出异议", "Object"),
    "catalog.object_intro": (
        "对拟登记的内容有异议的，任何单位和个人均可在公示期内（至 {day}）提出，市数据资源局将核实并答复。",
        "Anyone who disagrees with what is to be registered may object until {day}; the bureau looks into each "
        "objection and answers it.",
    ),
    "catalog.contact_private": (
        "联系方式仅供市数据资源局核实异议时使用，不会公开。",
        "Your contact is only for the bureau to look into the objection; it is never published.",
    ),
    "catalog.object_submit": ("提交异议", "File the objection"),
    "catalog.retype_personal": (
        "为保护个人信息，请重新填写姓名和联系方式。",
        "To protect personal data, type your name and contact again.",
    ),
    "catalog.objections_closed": (
        "公示期已于 {day} 结束，不再受理异议。",
        "The public notice ended on {day}; no more objections are taken.",
    ),
    "problem.row": ("行", "Row"),
    "problem.column": ("列", "Column"),
    "problem.rule": ("规则", "Rule"),
    "problem.message": ("问题", "Problem"),
    # What each problem of a load report is called (its rule), in words; a value is never shown.
    "problem.catalog.check.required": ("必填项为空", "A required value is empty"),
    "problem.catalog.check.integer": ("不是整数", "Not a whole number"),
    "problem.catalog.check.decimal": ("不是数字", "Not a number"),
    "problem.catalog.check.date": ("不是日期（应为 YYYY-MM-DD）", "Not a date (use YYYY-MM-DD)"),
    "problem.catalog.check.timestamp": (
        "不是日期时间（应为 YYYY-MM-DD HH:MM:SS）",
        "Not a date and time (use YYYY-MM-DD HH:MM:SS)",
    ),
    "problem.catalog.check.boolean": ("不是是/否", "Not yes/no (是/否)"),
    "problem.catalog.check.resident_id": (
        "不是有效的 18 位公民身份号码（出生日期或校验码不符）",
        "Not a valid 18-digit resident ID (birth date or check character wrong)",
    ),
    "problem.catalog.check.credit_code": (
        "不是有效的统一社会信用代码（校验码不符）",
        "Not a valid unified social credit code (check character wrong)",
    ),
    "problem.catalog.check.mobile": ("不是有效的手机号码", "Not a valid mobile number"),
    "problem.catalog.missing-column": ("缺少必填列", "A required column is missing"),
    "problem.catalog.unknown-column": (
        "文件中有资源描述未声明的列：请声明或删除",
        "A column the description does not declare: declare or remove it",
    ),
    "problem.catalog.duplicate-column": ("列名重复", "The column appears twice"),
    "problem.catalog.empty": ("文件为空或只有表头", "The file is empty or has only a header"),
    "problem.catalog.encoding": (
        "文件既不是 UTF-8 也不是 GB18030/GBK 编码：请另存为 UTF-8 CSV",
        "The file is neither UTF-8 nor GB18030/GBK text: save it as UTF-8 CSV",
    ),
    "problem.catalog.csv-structure": (
        "CSV 格式有误：请检查引号，并确保每行的列数与表头一致",
        "The CSV is malformed: check quoting and that each row has as many columns as the header",
    ),
    "problem.catalog.row-width": ("某行的值多于表头的列数", "A row has more values than the header has columns"),
    "problem.catalog.xlsx": ("不是可读取的 .xlsx 工作簿", "Not a readable .xlsx workbook"),
    "problem.catalog.parquet": ("不是可读取的 Parquet 文件", "Not a readable Parquet file"),
    "problem.catalog.undeclared-sensitive": (
        "该列的值看起来是个人信息，但字段声明为非个人信息：请声明其属性，或确认不是个人信息",
        "The column's values look personal but the field is declared not personal: declare its sensitivity or "
        "confirm it is not personal",
    ),
    "problem.catalog.no-good-rows": ("没有一行通过校验，无可保留的数据", "No row passed the checks: nothing to keep"),
    "problem.catalog.sql-source": ("部门数据库拒绝了查询", "The department database refused the query"),
}

LABELS |= {
    "resource.load_sql": ("从数据源连接加载", "Load from a source connection"),
    "resource.source": ("数据源连接", "Source connection"),
    "resource.query": ("查询语句（在部门数据库中执行）", "Query (runs in the department's database)"),
    "resource.no_sources": (
        "市数据资源局尚未为本部门批准数据源连接。",
        "The bureau has approved no source connection for this department yet.",
    ),
    "source.title": ("数据源连接", "Source connections"),
    "source.notice_approved": ("数据源连接已批准。", "The source connection is approved."),
    "source.notice_disabled": ("数据源连接已停用。", "The source connection is disabled."),
    "source.intro": (
        "各部门只能从市数据资源局批准的数据库连接加载数据；密码由平台加密保存，不会再显示。",
        "Departments load only from database connections the bureau approved; passwords are kept sealed by the "
        "platform and never shown again.",
    ),
    "source.name": ("名称", "Name"),
    "source.provider": ("数据提供部门", "Department"),
    "source.url": ("数据库地址（不含密码）", "Database URL (without the password)"),
    "source.url_hint": ("例如：", "For example:"),
    "source.url_example_postgresql": (
        "postgresql+psycopg://只读账号@主机:5432/数据库",
        "postgresql+psycopg://reader@host:5432/database",
    ),
    "source.url_example_mysql": ("mysql+pymysql://账号@主机:3306/数据库", "mysql+pymysql://user@host:3306/database"),
    "field.add_hint": (
        "空行将被忽略；保存后可继续添加。",
        "Leave a row empty to skip it; save to get three more rows.",
    ),
    "source.password": ("密码", "Password"),
    "source.has_password": ("已保存密码", "Password kept"),
    "source.address": ("地址", "Address"),
    "source.username": ("账号", "User"),
    "source.state": ("状态", "State"),
    "source.active": ("可用", "In use"),
    "source.disabled": ("已停用", "Disabled"),
    "source.created_at": ("批准时间", "Approved"),
    "source.add": ("批准新的数据源连接", "Approve a new source connection"),
    "source.disable": ("停用", "Disable"),
    "source.none": ("尚无数据源连接。", "No source connection yet."),
    "nav.sources": ("数据源连接", "Sources"),
    "nav.data_alerts": ("数据文件告警", "Data file alerts"),
    "alert.title": ("数据文件告警", "Data file alerts"),
    "alert.intro": (
        "以下数据版本的文件与加载时登记的校验值不符或已缺失。使用这些版本的查询和作业均被拒绝且不计费，"
        "直至提供部门重新加载数据。",
        "The files of these data versions no longer match the checksum recorded when they were loaded, or are "
        "missing. Queries and jobs on them are refused, free, until the providing department loads the data again.",
    ),
    "alert.none": ("没有数据文件告警。", "No data file alerts."),
    "alert.resource": ("数据资源", "Resource"),
    "alert.version": ("版本", "Version"),
    "alert.provider": ("提供部门", "Providing department"),
    "alert.problem": ("问题", "Problem"),
    "alert.raised_at": ("发现时间", "Found at"),
    "alert.problem.missing": ("文件缺失", "File missing"),
    "alert.problem.unreadable": ("文件无法读取", "File unreadable"),
    "alert.problem.size": ("文件大小不符（截断或替换）", "Another size (truncated or replaced)"),
    "alert.problem.digest": ("校验值不符（内容被替换或损坏）", "Another checksum (replaced or corrupted bytes)"),
}

REFUSALS = {
    "catalog.not-found": (404, "没有这个{what}。", "No such {what}."),
    "catalog.unknown-code": (404, "没有代码为 {code} 的已登记资源。", "No registered resource has the code {code}."),
    "catalog.code-taken": (409, "目录中已有资源 {code}。", "The catalogue already has a resource {code}."),
    "catalog.not-editable": (
        409,
        "只有草稿可以直接编辑；已登记的资源通过变更登记修改。",
        "Only a draft can be edited; a registered resource changes through a change registration.",
    ),
    "catalog.code-fixed": (422, "资源代码不能修改。", "A resource's code cannot change."),
    "catalog.core-not-loadable": (
        409,
        "核心数据不得加载到运营域中。",
        "Core data (核心数据) is never loaded into the operation domain.",
    ),
    "catalog.no-data-now": (
        409,
        "「{state}」状态的资源不接受数据。",
        "A resource that is “{state}” does not accept data.",
    ),
    "catalog.changed-during-load": (
        409,
        "检查文件期间资源发生了变化；请重新加载。",
        "The resource changed while the file was being checked; load it again.",
    ),
    "catalog.no-data": (409, "{code} 尚未加载数据；请先加载。", "{code} has no data loaded yet; load it first."),
    "catalog.change-missing": (
        422,
        "变更登记需附上新的资源描述。",
        "A change registration carries the new description.",
    ),
    # Approved source connections (数据源连接): what the bureau may approve, and what a load may use.
    "catalog.source-not-a-url": (
        422,
        "数据库地址不是有效的 SQLAlchemy URL（如 postgresql+psycopg://账号@主机:5432/数据库）。",
        "The database URL is not a valid SQLAlchemy URL (e.g. postgresql+psycopg://user@host:5432/database).",
    ),
    "catalog.source-driver": (
        422,
        "只接受网络数据库（{allowed}）作为数据源，不接受 {driver}：本地文件型数据库可能指向平台自身的数据。",
        "Only network databases ({allowed}) are sources, not {driver}: a local file database can reach the "
        "platform's own data.",
    ),
    "catalog.source-platform-path": (
        422,
        "数据源地址指向平台数据目录或平台数据库中的文件或套接字，不予接受。",
        "The source URL points to a file or socket inside the platform's data directory or at its database.",
    ),
    "catalog.source-platform-database": (
        422,
        "数据源不能是平台自身的数据库（同一主机、端口和数据库）。",
        "The source may not be the platform's own database (the same host, port and database).",
    ),
    "catalog.source-password-in-url": (
        422,
        "请不要把密码写在地址里：在密码栏填写，平台会加密保存。",
        "Keep the password out of the URL: give it in the password field, where the platform seals it.",
    ),
    "catalog.source-address": (
        422,
        "请写明数据库所在的主机名或 IP 地址，端口为 1–65535。",
        "Name the database's host (a host name or IP address) and a port from 1 to 65535.",
    ),
    "catalog.source-no-database": (422, "请在地址中写明数据库名。", "Name the database in the URL."),
    "catalog.source-option": (
        422,
        "不接受连接选项 {options}：它们可能把连接转向本机文件或套接字。",
        "The connection options {options} are not accepted: they can turn the connection to local files or sockets.",
    ),
    "catalog.source-name-taken": (409, "已有名为 {name} 的数据源连接。", "A source connection named {name} exists."),
    "catalog.source-not-a-provider": (
        422,
        "数据源连接只为数据提供部门批准。",
        "Source connections are approved for data-providing departments only.",
    ),
    "catalog.source-choice": (
        422,
        "请选择一个已批准的数据源连接并填写查询语句。",
        "Choose an approved source connection and write the query.",
    ),
    "catalog.source-disabled": (409, "数据源连接 {name} 已停用。", "The source connection {name} is disabled."),
    "catalog.source-credential": (
        409,
        "数据源连接 {name} 保存的密码无法解开；请停用后重新批准。",
        "The password kept for the source connection {name} cannot be opened; disable it and approve it again.",
    ),
    "catalog.confirm-unknown-field": (
        422,
        "以下不是本资源的字段：{fields}。",
        "Not fields of this resource: {fields}.",
    ),
    "catalog.source-format": (
        422,
        "请说明格式（csv、xlsx 或 parquet），或使用带相应扩展名的文件名。",
        "Say the format (csv, xlsx or parquet) or name the file with that extension.",
    ),
    "catalog.sample-format": (
        422,
        "样例文件须为 CSV（UTF-8 或 GB18030 编码）或 Excel（.xlsx）文件。",
        "A sample file is a CSV (UTF-8 or GB18030) or Excel (.xlsx) file.",
    ),
    "catalog.sample-unreadable": (
        422,
        "无法读取样例文件：请上传第一行为列名的 CSV（UTF-8 或 GB18030 编码）或 Excel（.xlsx）文件，列数不超过 500。",
        "The sample cannot be read: send a CSV (UTF-8 or GB18030) or .xlsx file whose first line names its "
        "columns, 500 at most.",
    ),
    "catalog.sample-no-header": (
        422,
        "样例文件的第一行是数据而不是列名：请在第一行写明各列的名称后重新上传。",
        "The sample's first line holds values, not column names: name the columns on the first line and send it again.",
    ),
    "catalog.sample-duplicate-column": (
        422,
        "样例文件中列名 {column} 出现了两次；请修改列名后重新上传。",
        "The column {column} appears twice in the sample; rename it and send the sample again.",
    ),
    "catalog.load-refused": (
        422,
        "未加载任何数据：发现 {count} 个问题；列出了前 {shown} 个及其行和列。",
        "Nothing was loaded: {count} problem(s); the first {shown} are listed with their row and column.",
    ),
}

ACTIONS = {
    "catalog.resource.describe": ("编目数据资源", "Resource described"),
    "catalog.resource.revise": ("修改资源描述", "Resource description revised"),
    "catalog.resource.new-version": ("资源有了新版本", "Resource has a new version"),
    "catalog.version.load": ("加载数据版本", "Data version loaded"),
    "catalog.data-damaged": ("数据文件损坏或缺失告警", "Data file damaged or missing: alert raised"),
    "catalog.preview": ("查看脱敏样例", "Masked sample viewed"),
    "catalog.load.report": ("记录加载报告", "Load report recorded"),
    "catalog.source.approve": ("批准数据源连接", "Source connection approved"),
    "catalog.source.disable": ("停用数据源连接", "Source connection disabled"),
    "catalog.resource.submit": ("提交首次登记", "Submitted for first registration"),
    "catalog.resource.submit_change": ("提交变更登记", "Submitted for change registration"),
    "catalog.resource.submit_cancel": ("提交注销登记", "Submitted for cancellation"),
    "catalog.resource.registration-return": ("登记申请被退回", "Registration returned"),
    "catalog.resource.registration-reject": ("登记申请未获通过", "Registration rejected"),
    "catalog.resource.registered-first": ("完成首次登记", "Registered"),
    "catalog.resource.registered-change": ("完成变更登记", "Change registered"),
    "catalog.resource.registered-cancel": ("完成注销登记", "Cancelled"),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS |= {
    "subject.resource": ("数据资源", "Data resource"),
    "subject.resource_version": ("数据版本", "Data version"),
    "subject.source_connection": ("数据源连接", "Source connection"),
    "subject.data_alert": ("数据文件损坏告警", "Damaged data file alert"),
    "subject.load_report": ("加载报告", "Load report"),
}

# What a department is told after applying, and asked before cancelling (the resource leaves the catalogue).
LABELS |= {
    "registration.notice_first": ("首次登记申请已提交，等待数据资源局审核。", "Applied for first registration."),
    "registration.notice_cancel": ("注销登记申请已提交，等待数据资源局审核。", "Applied for cancellation."),
    "registration.cancel_reason": (
        "注销理由（必填，随申请提交数据资源局）",
        "Why cancel (required; sent to the bureau)",
    ),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
