"""Reading a page's form as a browser would submit it (stdlib only): what a test posts back, unchanged."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.in_template = form_id, False, 0
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if tag == "input" and a.get("name") and a.get("type", "text") not in ("file", "submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option":
            self._option, self._option_text = (a.get("value"), "selected" in a), ""
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "template":
            self.in_template -= 1
        elif tag == "option" and self._option is not None:
            value, chosen = self._option
            self._options.append((self._option_text.strip() if value is None else value, chosen))
            self._option = None
        elif tag == "select" and self._select is not None and not self.in_template:
            chosen = [value for value, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.pairs += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and not self.in_template:
            self.pairs.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_pairs(html: str, form_id: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the form ``form_id`` would send: checked boxes, chosen options, typed text."""
    parser = _Form(form_id)
    parser.feed(html)
    return parser.pairs


def field_rows(html: str, form_id: str = "resource-form") -> list[dict[str, str]]:
    """The resource form's field rows as the form would send them (its empty rows included)."""
    pairs = form_pairs(html, form_id)
    columns = ("name", "label", "type", "format", "sensitivity", "pipl_category", "masking")
    values = {column: [value for key, value in pairs if key == f"field_{column}"] for column in columns}
    required = {value for key, value in pairs if key == "field_required"}
    return [
        {**{column: values[column][index] for column in columns}, "required": str(index) in required}
        for index in range(len(values["name"]))
    ]


def replace(pairs: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    """The pairs with some single fields changed (what a user types into the code and name boxes)."""
    return [(key, changes.get(key, value)) for key, value in pairs]


def set_row(pairs: list[tuple[str, str]], index: int, **values: str) -> list[tuple[str, str]]:
    """The pairs with field row ``index``'s columns changed (``name="beds"`` sets its ``field_name``)."""
    seen: dict[str, int] = {}
    changed = []
    for key, value in pairs:
        column = key.removeprefix("field_")
        if key.startswith("field_") and key != "field_required":
            position = seen.get(column, 0)
            seen[column] = position + 1
            if position == index and column in values:
                value = values[column]
        changed.append((key, value))
    return changed
