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
    "problem.row": ("行", "Row"),
    "problem.column": ("列", "Column"),
    "problem.rule": ("规则", "Rule"),
    "problem.message": ("问题", "Problem"),
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
    "source.url_hint": (
        "如 postgresql+psycopg://只读账号@主机:5432/数据库 或 mysql+pymysql://账号@主机:3306/数据库",
        "e.g. postgresql+psycopg://reader@host:5432/database or mysql+pymysql://user@host:3306/database",
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
