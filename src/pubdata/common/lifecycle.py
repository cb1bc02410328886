"""Lifecycles: every object with a state moves only through its declared table, and only through ``apply``.

A lifecycle is declared once, in its domain's ``rules.py``: the states (a ``State`` enum whose members carry
their zh-CN and English labels), the events with their labels, and the table (state, event) → state. Then

- ``apply(row, event)`` sets the row's state, or raises the lifecycle's refusal naming the state and event;
- ``target(state, event)`` says where an event would lead, without moving anything;
- ``events_from(state)`` lists what can happen next (the buttons a page offers);
- declaring it checks the table: every target is a state, every state is reachable from the start.

Nothing else in the platform writes a ``state`` attribute; a test keeps it so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pubdata.common import messages


class State(StrEnum):
    """A state with its labels: ``ACTIVE = "active", "运营中", "Active"``."""

    zh: str
    en: str

    def __new__(cls, value: str, zh: str = "", en: str = "") -> State:
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh, member.en = zh or value, en or value
        return member


S = TypeVar("S", bound=State)


class Lifecycle(Generic[S]):
    """One object's state machine. ``name`` is what the object is called in refusals (zh-CN, English)."""

    def __init__(
        self,
        *,
        rule: str,
        name: tuple[str, str],
        states: type[S],
        start: S,
        events: Mapping[str, tuple[str, str]],
        transitions: Mapping[tuple[S, str], S],
        field: str = "state",
    ) -> None:
        self.rule, self.name, self.states, self.start, self.field = rule, name, states, start, field
        self.initial: str = start.value  # what a new row starts in, as the database stores it
        self.events = dict(events)
        self.transitions: dict[tuple[S, str], S] = dict(transitions)
        self._check()
        messages.declare(
            refusals={
                rule: (
                    409,
                    f"无法{{event}}：该{name[0]}当前为「{{state}}」。",
                    f"Cannot {{event}}: the {name[1]} is “{{state}}”.",
                )
            }
        )

    def _check(self) -> None:
        for (state, event), target in self.transitions.items():
            if state not in self.states or target not in self.states:
                raise ValueError(f"{self.rule}: ({state}, {event}) → {target} names a state the lifecycle lacks")
            if event not in self.events:
                raise ValueError(f"{self.rule}: the event {event} has no label")
        reached, frontier = {self.start}, [self.start]
        while frontier:
            state = frontier.pop()
            for (source, _), target in self.transitions.items():
                if source == state and target not in reached:
                    reached.add(target)
                    frontier.append(target)
        unreachable = set(self.states) - reached
        if unreachable:
            raise ValueError(f"{self.rule}: no way to reach {', '.join(sorted(unreachable))}")
        unused = set(self.events) - {event for _, event in self.transitions}
        if unused:
            raise ValueError(f"{self.rule}: the events {', '.join(sorted(unused))} move nothing")

    def state_of(self, row: Any) -> S:
        return self.states(getattr(row, self.field))

    def target(self, state: str, event: str) -> S | None:
        return self.transitions.get((self.states(state), event))

    def allows(self, state: str, event: str) -> bool:
        return self.target(state, event) is not None

    def events_from(self, state: str) -> list[str]:
        current = self.states(state)
        return [event for (source, event) in self.transitions if source == current]

    def refusal(self, state: str, event: str) -> Any:
        """The refusal for ``event`` in ``state``: raise it (``raise lifecycle.refusal(...)``)."""
        from pubdata.common.errors import Refused  # errors imports messages; messages must not import errors

        known = self.states(state)
        return Refused(
            self.rule,
            state=messages.Text((known.zh, known.en)),
            event=messages.Text(self.events.get(event, (event, event))),
        )

    def apply(self, row: Any, event: str) -> S:
        """Move ``row`` by ``event``, or refuse; returns the new state."""
        current = getattr(row, self.field)
        target = self.target(current, event)
        if target is None:
            raise self.refusal(current, event)
        setattr(row, self.field, target.value)
        return target

    def labels(self) -> dict[str, tuple[str, str]]:
        """Every state's labels, as the vocabularies the pages and the API publish."""
        return {state.value: (state.zh, state.en) for state in self.states}

    def table(self) -> Iterable[tuple[str, str, str]]:
        return ((state.value, event, target.value) for (state, event), target in self.transitions.items())
