"""World and US maps drawn as SVG on the server, from map data shipped in the package.

The map data is TopoJSON from the npm packages world-atlas 2.0.2 (Natural Earth 1:110m
countries, keyed by ISO 3166-1 numeric code) and us-atlas 3.0.1 (US Census states,
already projected to Albers USA at 975 x 610), ISC licence, in ``data/maps/``. Nothing is
fetched at run time: the browser receives finished SVG paths.

TopoJSON stores shared borders once as quantised, delta-encoded "arcs"; a polygon ring is
a list of arc indexes, where ``~i`` (a negative index) means arc ``i`` reversed.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources

WORLD_FILE = "countries-110m.json"
US_FILE = "states-albers-10m.json"
WORLD_WIDTH, WORLD_HEIGHT = 960, 470

Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """One country or state: its map id, name and SVG path data."""

    id: str
    name: str
    path: str


def _load(name: str) -> dict:
    text = resources.files("harborlight.insights").joinpath("data", "maps", name).read_text(
        encoding="utf-8")
    return json.loads(text)


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Undo quantisation and delta encoding, returning absolute coordinates per arc."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0.0
        points = []
        for position in arc:
            if transform:
                x += position[0]
                y += position[1]
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((float(position[0]), float(position[1])))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def equal_earth(longitude: float, latitude: float) -> Point:
    """The Equal Earth projection (Šavrič, Patterson, Jenny 2018), unit scale."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    m = math.sqrt(3) / 2
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(m * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (m * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


def _world_point(point: Point) -> Point:
    x, y = equal_earth(*point)
    # Equal Earth spans x in [-2.7064, 2.7064] and y in [-1.3173, 1.3173].
    scale = WORLD_WIDTH / (2 * 2.7064)
    return WORLD_WIDTH / 2 + x * scale, WORLD_HEIGHT / 2 - y * scale


def _path(rings: list[list[Point]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        head, *tail = ring
        parts.append(f"M{head[0]:.1f},{head[1]:.1f}" +
                     "".join(f"L{x:.1f},{y:.1f}" for x, y in tail) + "Z")
    return "".join(parts)


def split_at_antimeridian(ring: list[Point]) -> list[list[Point]]:
    """Cut a lon/lat ring where it jumps across 180 degrees, so no edge spans the map.

    Natural Earth rings that cross the antimeridian (Russia, Fiji, Antarctica) contain an
    edge from +180 to -180; projected, it becomes a line across the whole world. Each piece
    is closed on its own side instead.
    """
    pieces, current = [], [ring[0]] if ring else []
    for previous, point in zip(ring, ring[1:]):
        if abs(point[0] - previous[0]) > 180:
            pieces.append(current)
            current = []
        current.append(point)
    pieces.append(current)
    if len(pieces) > 1 and pieces[-1] and pieces[0]:
        pieces[0] = pieces.pop() + pieces[0]  # the ring's end continues its start
    return [piece for piece in pieces if len(piece) >= 3]


def _shapes(topology: dict, object_name: str, project, geographic: bool
            ) -> tuple[Shape, ...]:
    arcs = decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"][object_name]["geometries"]:
        raw = [ring_points(ring, arcs) for polygon in _polygons(geometry) for ring in polygon]
        if geographic:
            raw = [piece for ring in raw for piece in split_at_antimeridian(ring)]
        rings = [[project(p) for p in ring] for ring in raw]
        if rings:
            shapes.append(Shape(str(geometry.get("id", "")),
                                geometry.get("properties", {}).get("name", ""), _path(rings)))
    return tuple(shapes)


@functools.cache
def world_shapes() -> tuple[Shape, ...]:
    """Countries of the world; ``Shape.id`` is the ISO 3166-1 numeric code ("004")."""
    return _shapes(_load(WORLD_FILE), "countries", _world_point, geographic=True)


US_MARGIN = 4
# Albers USA as shipped by us-atlas: Alaska reaches x = -57.7, so shift by the data's
# bounding box rather than trusting the nominal 975 x 610 frame.
US_BBOX = (-57.67, 12.97, 957.53, 606.57)
US_VIEWBOX = (math.ceil(US_BBOX[2] - US_BBOX[0]) + 2 * US_MARGIN,
              math.ceil(US_BBOX[3] - US_BBOX[1]) + 2 * US_MARGIN)


@functools.cache
def us_shapes() -> tuple[Shape, ...]:
    """US states (Albers USA, already projected); ``Shape.id`` is the FIPS code ("06")."""
    topology = _load(US_FILE)
    left, top = topology["bbox"][0], topology["bbox"][1]
    return _shapes(topology, "states",
                   lambda p: (p[0] - left + US_MARGIN, p[1] - top + US_MARGIN),
                   geographic=False)
WORLD_VIEWBOX = (WORLD_WIDTH, WORLD_HEIGHT)
