"""Lay out historic trafficking events on a time axis, for a server-drawn SVG.

The page draws the SVG from these numbers with presentation attributes only (no inline
style, no script), so it passes the strict CSP; the same events are listed as text beside
it for screen readers. Events without a date are listed, not drawn.

Labels never leave the drawing: a label near either end is anchored at its mark's side
(``text-anchor`` start or end) instead of centred, with its width estimated from its
length (12 px system-ui text averages well under 7.5 px per character).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format

WIDTH = 760
LEFT = 40
RIGHT = 40
CHAR_WIDTH = 7.5  # a generous estimate of one character at font-size 12
COLOURS = {"Recruitment": "#1f5fa8", "Transit": "#8a5a00", "Exploitation": "#a4262c"}
SHAPES = {"Recruitment": "circle", "Transit": "square", "Exploitation": "diamond"}


@dataclass(frozen=True)
class Mark:
    x: int
    y: int
    label_y: int
    event: object
    colour: str
    shape: str
    anchor: str = "middle"

    @property
    def label(self) -> str:
        return label(self.event)

    @property
    def diamond_points(self) -> str:
        return f"{self.x},{self.y - 8} {self.x + 8},{self.y} {self.x},{self.y + 8} {self.x - 8},{self.y}"


@dataclass(frozen=True)
class Timeline:
    marks: list[Mark]
    undated: list
    width: int = WIDTH
    height: int = 120
    axis_y: int = 60
    start: object = None
    end: object = None


def timeline(events) -> Timeline:
    dated = sorted((e for e in events if e.date), key=lambda e: (e.date, e.pk or 0))
    undated = [e for e in events if not e.date]
    if not dated:
        return Timeline([], undated)
    first, last = dated[0].date, dated[-1].date
    span = max((last - first).days, 1)
    marks = []
    for index, event in enumerate(dated):
        x = LEFT + round((event.date - first).days / span * (WIDTH - LEFT - RIGHT)) \
            if len(dated) > 1 else WIDTH // 2
        up = index % 2 == 0  # alternate labels above and below the axis
        marks.append(Mark(x, 60, 30 if up else 100, event, COLOURS.get(event.type, "#333333"),
                          SHAPES.get(event.type, "circle"), label_anchor(x, label(event))))
    return Timeline(marks, undated, start=first, end=last)


def label(event) -> str:
    """The label drawn beside a mark: the event's type and month ("Transit Mar 2024")."""
    return f"{event.type} {date_format(event.date, 'YEAR_MONTH_FORMAT')}"


def label_anchor(x: int, text: str, width: int = WIDTH) -> str:
    """Centre the label on its mark unless that would cut it at an edge of the drawing."""
    half = len(text) * CHAR_WIDTH / 2
    if x - half < 0:
        return "start"
    if x + half > width:
        return "end"
    return "middle"
