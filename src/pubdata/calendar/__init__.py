"""China's working-day calendar (工作日): the bureau's yearly tables, chinese-calendar, and a provisional year."""

from pubdata.calendar import messages  # noqa: F401 - declares the words
