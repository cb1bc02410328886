"""The demo's stories played in time with the rest of the city: each story is a list of steps at their moments,
and the timeline plays those before a moment, so that the ledger reads in time order around the other parts of
the build."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from pubdata.common import clock
from pubdata.platform import Platform

Act = Callable[[Platform, dict[str, int]], None]


@dataclass(frozen=True)
class Step:
    day: date
    hour: int
    act: Act

    @property
    def moment(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, self.hour, 30, tzinfo=clock.SHANGHAI)


class Timeline:
    """Steps in time order, played a window at a time; ``ids`` carries what one step made for the next."""

    def __init__(self, platform: Platform, steps: list[Step], *, last: datetime) -> None:
        self.platform, self.last = platform, last
        self.steps = sorted(steps, key=lambda step: step.moment)
        self.ids: dict[str, int] = {}

    def play_until(self, moment: datetime) -> int:
        played = 0
        while self.steps and self.steps[0].moment < min(moment, self.last):
            step = self.steps.pop(0)
            with clock.frozen_at(step.moment):
                step.act(self.platform, self.ids)
            played += 1
        return played
