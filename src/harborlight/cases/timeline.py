"""Lay out historic trafficking events on a time axis, for a server-drawn SVG.

The page draws the SVG from these numbers with presentation attributes only (no inline
style, no script), so it passes the strict CSP; the same events are listed as text beside
it for screen readers. Events without a date are listed, not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 760
LEFT = 40
RIGHT = 40
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
                          SHAPES.get(event.type, "circle")))
    return Timeline(marks, undated, start=first, end=last)
