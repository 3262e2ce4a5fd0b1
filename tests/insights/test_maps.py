"""Map data: TopoJSON decoding, the projection, and the antimeridian cut."""

from __future__ import annotations

import re

from harborlight.insights.maps import (US_VIEWBOX, WORLD_VIEWBOX, decode_arcs, equal_earth,
                                       ring_points, split_at_antimeridian, us_shapes,
                                       world_shapes)


def test_it_decodes_quantised_delta_arcs():
    topology = {"transform": {"scale": [0.5, 2.0], "translate": [10, -5]},
                "arcs": [[[0, 0], [2, 0], [0, 3]], [[2, 3], [-2, -3]]]}
    assert decode_arcs(topology) == [[(10.0, -5.0), (11.0, -5.0), (11.0, 1.0)],
                                     [(11.0, 1.0), (10.0, -5.0)]]


def test_it_joins_arcs_into_rings_reversing_negative_indexes():
    arcs = [[(0, 0), (1, 0), (1, 1)], [(0, 0), (0, 1), (1, 1)]]
    # ~1 is arc 1 reversed; the shared point (1, 1) appears once.
    assert ring_points([0, ~1], arcs) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]


def test_it_projects_the_origin_to_the_centre_and_keeps_hemispheres():
    assert equal_earth(0, 0) == (0.0, 0.0)
    x, y = equal_earth(90, 45)
    assert x > 0 and y > 0
    assert equal_earth(-90, -45) == (-x, -y)


def test_it_cuts_rings_that_jump_across_the_antimeridian():
    ring = [(170, 10), (179, 10), (-179, 10), (-170, 10), (-170, 0), (-179, 0), (179, 0),
            (170, 0), (170, 10)]
    pieces = split_at_antimeridian(ring)
    assert len(pieces) == 2
    for piece in pieces:
        longitudes = [lon for lon, _ in piece]
        assert max(longitudes) - min(longitudes) < 180


def _coordinates(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path)]


def test_it_draws_every_country_inside_the_world_view():
    shapes = world_shapes()
    assert len(shapes) > 170
    assert {"840", "076", "356"} <= {shape.id for shape in shapes}  # USA, Brazil, India
    width, height = WORLD_VIEWBOX
    for shape in shapes:
        for x, y in _coordinates(shape.path):
            assert 0 <= x <= width and 0 <= y <= height, shape.name


def test_it_draws_no_edge_across_the_world():
    width, _ = WORLD_VIEWBOX
    for shape in world_shapes():
        for subpath in shape.path.split("M")[1:]:
            xs = [x for x, _ in _coordinates("M" + subpath)]
            steps = [abs(b - a) for a, b in zip(xs, xs[1:])]
            assert max(steps, default=0) < width / 2, shape.name


def test_it_knows_the_us_data_bounding_box():
    import json
    from importlib import resources

    from harborlight.insights.maps import US_BBOX, US_FILE

    text = resources.files("harborlight.insights").joinpath("data", "maps", US_FILE).read_text()
    bbox = json.loads(text)["bbox"]
    assert all(abs(a - b) < 0.01 for a, b in zip(bbox, US_BBOX))


def test_it_draws_every_state_inside_the_us_view():
    shapes = us_shapes()
    assert len(shapes) == 51  # 50 states and the District of Columbia
    width, height = US_VIEWBOX
    for shape in shapes:
        assert all(0 <= x <= width and 0 <= y <= height for x, y in _coordinates(shape.path))
