"""Charts as self-contained SVG, drawn on the server.

Every chart is a finished ``<svg>`` with a ``<title>`` and ``<desc>`` (screen readers),
colours as SVG attributes (the Content-Security-Policy forbids inline CSS), and the same
markup serves the page, the SVG download and the PNG download (drawn from it by
``static/insights/download.js``). Values arrive as :class:`Cell`, already protected:
a suppressed cell has ``value=None`` and is drawn as a hatched stub labelled "<k".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from django.utils.html import escape
from django.utils.translation import gettext as _

from harborlight.insights.maps import US_VIEWBOX, WORLD_VIEWBOX, Shape

BAR = "#2b6cb0"
COMPARE = "#9c4221"
SUPPRESSED = "#bdbdbd"
INK = "#1b1f24"
# Sequential blues (ColorBrewer), light to dark; readable by people with colour blindness.
SCALE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
FONT = 'font-family="system-ui, sans-serif"'
TITLE_BAND = 30  # room for a chart's visible title above a map
LEGEND_BAND = 56  # room for a map's legend (and its note) below it
CHAR_WIDTH = 6.6  # a generous estimate of one character at font-size 11-12


@dataclass(frozen=True)
class Cell:
    """One protected figure: ``value`` is None when the count was suppressed."""

    label: str
    value: int | None
    display: str


def _svg(width: int, height: int, chart_id: str, title: str, desc: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}-svg">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
            '<defs><pattern id="suppressed" width="6" height="6" '
            'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" '
            f'stroke="{SUPPRESSED}" stroke-width="3"/></pattern></defs>'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>')


def _describe(cells: list[Cell]) -> str:
    return "; ".join(f"{c.label}: {c.display}" for c in cells) or _("No data for these "
                                                                     "filters.")


def _fit(text: str, width: float, char_width: float = CHAR_WIDTH) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels (the full text stays in the
    element's <title> and in the data table)."""
    room = max(4, int(width / char_width))
    return text if len(text) <= room else text[:room - 1].rstrip() + "…"


def _heading(title: str) -> str:
    return (f'<text x="0" y="20" {FONT} font-size="14" font-weight="600" fill="{INK}">'
            f'{escape(title)}</text>')


def bar_chart(chart_id: str, title: str, cells: list[Cell],
              compare: list[Cell] | None = None, compare_label: str = "") -> str:
    """Horizontal bars, one per cell; an optional second series shows global shares."""
    label_width, bar_width, row = 320, 400, 30 if compare is None else 42
    height = 40 + row * max(len(cells), 1)
    peak = max([c.value or 0 for c in cells] + [1])
    shares = {c.label: c for c in compare or []}
    compare_peak = max([c.value or 0 for c in compare or []] + [1])
    body = [_heading(title)]
    for index, cell in enumerate(cells):
        y = 34 + index * row
        body.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" {FONT} '
                    f'font-size="13" fill="{INK}">{escape(_fit(cell.label, label_width - 12, 7.2))}'
                    '</text>')
        if cell.value is None:
            body.append(f'<rect x="{label_width}" y="{y + 3}" width="24" height="16" '
                        'fill="url(#suppressed)"/>')
            width = 24
        else:
            width = max(1, round(bar_width * cell.value / peak))
            body.append(f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="16" '
                        f'fill="{BAR}"/>')
        body.append(f'<text x="{label_width + width + 6}" y="{y + 16}" {FONT} font-size="12" '
                    f'fill="{INK}">{escape(cell.display)}</text>')
        other = shares.get(cell.label)
        if other is not None and other.value is not None:
            other_width = max(1, round(bar_width * other.value / compare_peak))
            body.append(f'<rect x="{label_width}" y="{y + 22}" width="{other_width}" '
                        f'height="8" fill="{COMPARE}"/>')
    if compare is not None:
        body.append(f'<text x="{label_width}" y="{height - 4}" {FONT} font-size="11" '
                    f'fill="{COMPARE}">{escape(compare_label)}</text>')
    desc = _describe(cells) + (f". {compare_label}: {_describe(compare)}" if compare else "")
    return _svg(label_width + bar_width + 80, height, chart_id, title, desc, "".join(body))


def column_chart(chart_id: str, title: str, cells: list[Cell]) -> str:
    """Vertical columns in order (counts over time)."""
    width, height, top, bottom, left = 720, 260, 34, 40, 10
    slot = (width - left * 2) / max(len(cells), 1)
    peak = max([c.value or 0 for c in cells] + [1])
    plot = height - top - bottom
    body = [_heading(title),
            f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" '
            f'y2="{height - bottom}" stroke="{INK}" stroke-width="1"/>']
    for index, cell in enumerate(cells):
        x = left + index * slot + slot * 0.15
        w = slot * 0.7
        if cell.value is None:
            h, fill = 12, "url(#suppressed)"
        else:
            h, fill = max(1, plot * cell.value / peak), BAR
        body.append(f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{w:.1f}" '
                    f'height="{h:.1f}" fill="{fill}"/>')
        cx = x + w / 2
        body.append(f'<text x="{cx:.1f}" y="{height - bottom - h - 4:.1f}" text-anchor="middle" '
                    f'{FONT} font-size="11" fill="{INK}">{escape(cell.display)}</text>')
        body.append(f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                    f'{FONT} font-size="11" fill="{INK}">{escape(cell.label)}</text>')
    return _svg(width, height, chart_id, title, _describe(cells), "".join(body))


def _position(value: int, peak: int) -> int:
    """Where a count falls on a log scale: case counts are heavy-tailed, and a linear
    scale would paint every country but the largest in the palest shade."""
    if peak <= 1 or value <= 0:
        return 0
    return min(len(SCALE) - 1, int(len(SCALE) * math.log(value) / math.log(peak + 1)))


def _bin(value: int, peak: int) -> str:
    return SCALE[_position(value, peak)]


def scale_ranges(peak: int) -> list[tuple[str, int, int]]:
    """(colour, lowest, highest) count of each shade in use up to ``peak``: the legend."""
    ranges: list[tuple[str, int, int]] = []
    for position, colour in enumerate(SCALE):
        lowest = 1 if position == 0 else math.ceil((peak + 1) ** (position / len(SCALE)))
        highest = peak if position == len(SCALE) - 1 else \
            math.ceil((peak + 1) ** ((position + 1) / len(SCALE))) - 1
        while lowest <= highest and _position(lowest, peak) < position:
            lowest += 1
        highest = min(highest, peak)
        if lowest <= highest:
            ranges.append((colour, lowest, highest))
    return ranges


def _legend(y: int, cells: list[Cell]) -> str:
    """Swatches for the shades in use, suppressed counts and no records; a note when
    every count is suppressed, so a blank map never looks like an error."""
    shown = [c.value for c in cells if c.value is not None]
    hidden = [c for c in cells if c.value is None]
    items = [(colour, f"{low:,}" if low == high else f"{low:,}–{high:,}")
             for colour, low, high in (scale_ranges(max(shown)) if shown else [])]
    if hidden:
        items.append(("url(#suppressed)", _("fewer than %(k)s (hidden)")
                      % {"k": hidden[0].display.lstrip("<")}))
    items.append(("#f7f7f7", _("no records")))
    body, x = [], 0
    for fill, text in items:
        body.append(f'<rect x="{x}" y="{y}" width="18" height="12" fill="{fill}" '
                    f'stroke="#8a8a8a" stroke-width="0.5"/>'
                    f'<text x="{x + 24}" y="{y + 11}" {FONT} font-size="12" '
                    f'fill="{INK}">{escape(text)}</text>')
        x += 24 + int(len(text) * CHAR_WIDTH) + 18
    if cells and not shown:
        note = _("Every count here is below %(k)s, so none is shown: no one can be singled "
                 "out.") % {"k": hidden[0].display.lstrip("<")}
    elif not cells:
        note = _("No records for these filters.")
    else:
        note = ""
    if note:
        body.append(f'<text x="0" y="{y + 34}" {FONT} font-size="13" font-weight="600" '
                    f'fill="{INK}">{escape(note)}</text>')
    return "".join(body)


def choropleth(chart_id: str, title: str, shapes: Iterable[Shape],
               cells_by_shape: dict[str, Cell], world: bool) -> str:
    """Shade each shape by its count, with its title above and its legend below; shapes
    without data stay near-white."""
    width, height = WORLD_VIEWBOX if world else US_VIEWBOX
    peak = max([c.value or 0 for c in cells_by_shape.values()] + [1])
    body = [_heading(title), f'<g transform="translate(0 {TITLE_BAND})">']
    for shape in shapes:
        cell = cells_by_shape.get(shape.id)
        if cell is None:
            fill, label = "#f7f7f7", _("%(place)s: no records") % {"place": shape.name}
        elif cell.value is None:
            fill, label = "url(#suppressed)", f"{shape.name}: {cell.display}"
        else:
            fill, label = _bin(cell.value, peak), f"{shape.name}: {cell.display}"
        body.append(f'<path d="{shape.path}" fill="{fill}" stroke="#8a8a8a" '
                    f'stroke-width="0.5"><title>{escape(label)}</title></path>')
    body.append("</g>")
    body.append(_legend(TITLE_BAND + height + 12, list(cells_by_shape.values())))
    cells = sorted(cells_by_shape.values(), key=lambda c: -(c.value or 0))
    return _svg(width, height + TITLE_BAND + LEGEND_BAND, chart_id, title,
                _describe(cells[:20]), "".join(body))


def heatmap(chart_id: str, title: str, rows: list[str], columns: list[str],
            matrix: list[list[Cell]]) -> str:
    """A matrix of counts (e.g. citizenship to country of exploitation), shaded by count."""
    label_width, cell_w, cell_h, top = 190, 86, 28, 150
    # At least as wide as its title (14 px semibold: about 8.5 px a character).
    width = max(label_width + cell_w * max(len(columns), 1) + 10, int(len(title) * 8.5) + 10)
    height = top + cell_h * max(len(rows), 1) + 10
    peak = max([c.value or 0 for row in matrix for c in row] + [1])
    body = [_heading(title)]
    # Column names lean up and to the left from their column, so the last one never runs
    # off the right edge; long names are cut to what fits under the title.
    slant = math.radians(40)
    room = (top - 8 - 30) / math.sin(slant)
    for j, column in enumerate(columns):
        x = label_width + j * cell_w + cell_w / 2
        body.append(f'<text x="{x:.0f}" y="{top - 8}" text-anchor="end" {FONT} font-size="11" '
                    f'fill="{INK}" transform="rotate(40 {x:.0f} {top - 8})">'
                    f'<title>{escape(column)}</title>{escape(_fit(column, room))}</text>')
    for i, (row, cells) in enumerate(zip(rows, matrix)):
        y = top + i * cell_h
        body.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" {FONT} '
                    f'font-size="12" fill="{INK}"><title>{escape(row)}</title>'
                    f'{escape(_fit(row, label_width - 12, 7.2))}</text>')
        for j, cell in enumerate(cells):
            x = label_width + j * cell_w
            fill = "url(#suppressed)" if cell.value is None else (
                "#ffffff" if not cell.value else _bin(cell.value, peak))
            ink = "#ffffff" if fill in SCALE[3:] else INK
            body.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                        f'fill="{fill}" stroke="#d0d0d0"><title>{escape(cell.label)}: '
                        f'{escape(cell.display)}</title></rect>')
            body.append(f'<text x="{x + cell_w / 2 - 1:.0f}" y="{y + 18}" text-anchor="middle" '
                        f'{FONT} font-size="11" fill="{ink}">{escape(cell.display)}</text>')
    cells = [c for row in matrix for c in row if c.value != 0]
    return _svg(width, height, chart_id, title, _describe(cells), "".join(body))
