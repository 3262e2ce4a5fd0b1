"""The same OpenRosa client against ``harborlight serve`` (waitress, the production
server) in another process: a fresh installation, a supervisor's token from
``harborlight token create``, form list, download, submission and resubmission."""

from __future__ import annotations

import uuid

import pytest

from installations import installed, serving
from openrosa_client import OpenRosaClient, instance_xml

pytestmark = pytest.mark.slow


def test_collect_talks_to_harborlight_serve(tmp_path):
    with installed(tmp_path) as env:
        with serving(env, threads=2) as server:
            base = f"http://127.0.0.1:{server.port}/openrosa/harbor-hotline"
            assert OpenRosaClient(base).form_list().status == 401
            client = OpenRosaClient(base, username="sofia", token=env["TOKEN"])
            (form,) = client.forms()
            download = client.request("GET", form["downloadUrl"])
            assert download.status == 200 and b"<vic_Methods_of_Control/>" in download.body
            assert client.head_submission().status == 204
            instance = instance_xml(version=form["version"], instance_id=f"uuid:{uuid.uuid4()}",
                                    narrative="Workers at the farm cannot leave.",
                                    danger_now="no", minor_involved="no")
            first = client.submit(instance, {"photo.jpg": b"\xff\xd8 photo"})
            assert first.status == 201 and first.message().startswith("Received as tip T-")
            assert client.submit(instance).status == 202
