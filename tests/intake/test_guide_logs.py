"""Nothing from a guide visit reaches the server's log (issue 16): ``harborlight serve``
run for real, its output read after visits to every public page of the guide."""

from __future__ import annotations

import pytest
from installations import installed, serving

MARKER = "zq7marker"
VISITS = [f"/report/signs/?for={MARKER}", f"/report/signs/?lang=es&for=health_care&x={MARKER}",
          f"/report/check/?done=1&answer_danger_now=yes&sign={MARKER}",
          "/report/check/?done=1&sign=control.documents-held", f"/report/card/?lang={MARKER}",
          f"/report/?answer_danger_now={MARKER}&sign=control.cannot-leave",
          f"/report/signs/{MARKER}/", f"/report/check/?done={'y' * 5000}{MARKER}"]


@pytest.mark.own_sqlite
@pytest.mark.parametrize("level", ["WARNING", "DEBUG"])
def test_a_guide_visit_leaves_no_line_in_the_server_log(tmp_path, level):
    with installed(tmp_path, "sqlite") as env, \
            serving({**env, "HARBORLIGHT_LOG_LEVEL": level}, threads=2) as server:
        statuses = {path: server.get(path, **{"User-Agent": f"agent-{MARKER}",
                                              "Referer": f"https://r.example/{MARKER}"}).status
                    for path in VISITS}
        answer = server.request("POST", "/api/v1/tips", body={
            "narrative": f"Seen at the motel {MARKER}", "answers": {"danger_now": "yes"},
            "signs": ["control.documents-held"]})
        assert answer.status == 201
        server.process.terminate()
        out, err = server.process.communicate(timeout=15)
    assert statuses[f"/report/signs/{MARKER}/"] == 404
    assert {status for path, status in statuses.items() if path != f"/report/signs/{MARKER}/"
            } == {200}
    lines = [line for line in (out + err).splitlines()
             if not line.startswith("Serving on http://127.0.0.1:")]  # the start-up line
    log = "\n".join(lines)
    assert MARKER not in log and "/report" not in log and "127.0.0.1" not in log, log
    assert "agent-" not in log and "r.example" not in log, log
