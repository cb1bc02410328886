"""The calendar's words: refusals, ledger actions and page labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.calendar import rules
from pubdata.common.messages import declare

REFUSALS = {
    "calendar.bad-table": (
        422,
        "{year} 年放假安排表有误，整份未导入，现行日历未作任何改动：{problems}。",
        "The {year} holiday table is wrong and was not loaded; the calendar in force is unchanged: {problems}.",
    ),
    "calendar.table-year": (
        422,
        "放假安排表的年份须在 {first} 至 {last} 年之间。",
        "A holiday table's year is between {first} and {last}.",
    ),
    "calendar.table-file": (
        422,
        "请上传 UTF-8 编码的 CSV 文件（日期, 类型, 名称），不超过 {most} 字节。",
        "Upload a UTF-8 CSV file (date, kind, name) of at most {most} bytes.",
    ),
    "calendar.year-range": (
        422,
        "只能计算 {first} 年至 {last} 年之间提出的期限。",
        "Deadlines are computed for dates from {first} to {last}.",
    ),
    "calendar.days-range": (
        422,
        "工作日数须在 1 至 {most} 之间。",
        "The number of working days is between 1 and {most}.",
    ),
}

ACTIONS = {
    "calendar.table-loaded": ("导入年度放假安排表", "Year's holiday table loaded"),
}

LABELS = {
    "nav.calendar": ("工作日历", "Calendar"),
    "calendar.title": ("工作日历", "Working-day calendar"),
    "calendar.year_title": ("{year} 年工作日历", "Working-day calendar for {year}"),
    "calendar.intro": (
        "数据质量问题答复等期限按中国法定工作日计算（含调休上班日）。每一年的依据依次为：市数据资源局录入的年度放假"
        "安排表、国务院办公厅放假安排通知；两者都未收录的年份按法定节假日推算，标为暂定，"
        "导入该年安排表后重新计算。",
        "Deadlines such as a quality ticket's answer are counted in China's official working days (make-up "
        "workdays included). Each year's days come from the bureau's table of the year, else the State "
        "Council's notice (chinese-calendar); a year neither holds is estimated from the statutory holidays, "
        "marked provisional, and recomputed once its table is loaded.",
    ),
    "calendar.source": ("依据", "Source"),
    "calendar.year": ("年份", "Year"),
    "calendar.day": ("日期", "Date"),
    "calendar.kind": ("类型", "Kind"),
    "calendar.name": ("名称", "Name"),
    "calendar.weekday": ("星期", "Weekday"),
    "calendar.non_working": ("休息日", "Days off"),
    "calendar.make_up": ("调休上班日", "Make-up workdays"),
    "calendar.working_days": ("工作日数", "Working days"),
    "calendar.provisional": ("暂定", "Provisional"),
    "calendar.provisional_note": (
        "暂定：该年份的放假安排尚未公布，按法定节假日推算，不含调休；公布并导入后重新计算。",
        "Provisional: the year's schedule is not yet published; estimated from the statutory holidays without "
        "make-up days, and recomputed once it is loaded.",
    ),
    "calendar.versions": ("导入记录", "Loads"),
    "calendar.version": ("版本", "Version"),
    "calendar.loaded_at": ("导入时间", "Loaded"),
    "calendar.file_digest": ("文件摘要（SM3）", "File digest (SM3)"),
    "calendar.load_title": ("导入年度放假安排表", "Load a year's holiday table"),
    "calendar.load_hint": (
        "依据国务院办公厅当年放假安排通知，上传 CSV 文件，每行一天：日期（YYYY-MM-DD）、类型（放假或上班）、"
        "名称，例如“2027-02-05,放假,春节”“2027-02-20,上班,春节”。首行可为表头。文件中任何一行有误，整份不导入。",
        "From the State Council's notice for the year, upload a CSV file, a day a line: date (YYYY-MM-DD), kind "
        "(holiday or workday) and name, as in “2027-02-05,holiday,Spring Festival”. A header line is allowed. "
        "If any line is wrong, none of the file is loaded.",
    ),
    "calendar.file": ("放假安排表文件", "Table file"),
    "calendar.load": ("导入", "Load"),
    "notice.calendar-loaded": (
        "已导入放假安排表，该年度的暂定期限已据此重新计算。",
        "The holiday table is loaded; the year's provisional deadlines were recomputed from it.",
    ),
    "calendar.check_title": ("期限计算", "Compute a deadline"),
    "calendar.filed": ("起算日期", "From"),
    "calendar.compute": ("计算", "Compute"),
    "calendar.due": ("期限（当日结束）", "Due (end of day)"),
    "calendar.api_hint": ("任何人都可以通过接口核对：", "Anyone can check it through the API: "),
    "calendar.problem_empty": ("文件中没有任何日期", "the file lists no day"),
    "calendar.problem_too_long": ("文件超过 {text} 行", "the file has more than {text} lines"),
    "calendar.problem_date": ("第 {line} 行的日期“{text}”无效", "line {line}: “{text}” is not a date"),
    "calendar.problem_year": ("第 {line} 行的日期 {text} 不在该年度内", "line {line}: {text} is outside the year"),
    "calendar.problem_duplicate": ("第 {line} 行的日期 {text} 重复", "line {line}: {text} is listed twice"),
    "calendar.problem_kind": (
        "第 {line} 行的类型“{text}”应为放假或上班",
        "line {line}: the kind “{text}” is neither holiday nor workday",
    ),
    "calendar.problem_weekday": (
        "第 {line} 行的 {text} 是周一至周五，不需要调休上班",
        "line {line}: {text} is a weekday and needs no make-up",
    ),
    "calendar.problem_name": ("第 {line} 行的名称超过 40 字", "line {line}: the name is over 40 characters"),
    "subject.calendar_table": ("年度放假安排表", "Holiday table"),
}
LABELS |= {f"calendar.kind_{kind}": words for kind, words in rules.DAY_KINDS.items()}
LABELS |= {f"calendar.source_{source}": words for source, words in rules.SOURCES.items()}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
