"""A scripted OpenRosa client: what ODK Collect does, over real HTTP (the standard
library's urllib, so it depends on nothing Harborlight uses)."""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from urllib.error import HTTPError
from urllib.request import Request, urlopen

LIST_NS = "{http://openrosa.org/xforms/xformsList}"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def message(self) -> str:
        """The text of an OpenRosaResponse's message, as Collect shows it."""
        root = ElementTree.fromstring(self.body)
        return "".join(root.itertext()).strip()


class OpenRosaClient:
    def __init__(self, server_url: str, *, username: str = "", token: str = "",
                 bearer: bool = False):
        self.server_url = server_url.rstrip("/")
        self.username, self.token, self.bearer = username, token, bearer

    def _auth(self) -> dict[str, str]:
        if not self.token:
            return {}
        if self.bearer:
            return {"Authorization": f"Bearer {self.token}"}
        pair = base64.b64encode(f"{self.username}:{self.token}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        headers = {"X-OpenRosa-Version": "1.0", **self._auth(), **(headers or {})}
        try:
            with urlopen(Request(url, data=body, method=method, headers=headers),
                         timeout=30) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())

    def form_list(self) -> Reply:
        return self.request("GET", f"{self.server_url}/formList")

    def forms(self) -> list[dict[str, str]]:
        root = ElementTree.fromstring(self.form_list().body)
        return [{child.tag.removeprefix(LIST_NS): (child.text or "") for child in xform}
                for xform in root.findall(f"{LIST_NS}xform")]

    def head_submission(self) -> Reply:
        return self.request("HEAD", f"{self.server_url}/submission")

    def submit(self, instance: bytes, attachments: dict[str, bytes] | None = None) -> Reply:
        boundary = uuid.uuid4().hex
        parts = [("xml_submission_file", "submission.xml", "text/xml", instance)]
        parts += [(name, name, "application/octet-stream", data)
                  for name, data in (attachments or {}).items()]
        body = b"".join(
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {kind}\r\n\r\n".encode() + data + b"\r\n"
            for field, filename, kind, data in parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", f"{self.server_url}/submission", body,
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def instance_xml(*, form_id: str = "htcds_intake", version: str, instance_id: str,
                 **answers: str) -> bytes:
    """An instance as Collect writes it: the form's root element, answers, meta."""
    fields = "".join(f"<{name}>{value}</{name}>" for name, value in answers.items())
    return (f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
            f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
            f"{fields}<meta><instanceID>{instance_id}</instanceID></meta></data>").encode()
