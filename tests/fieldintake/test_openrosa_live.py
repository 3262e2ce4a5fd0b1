"""Field intake over OpenRosa, driven by a scripted client over real HTTP against a live
server (pytest-django's live_server): what ODK Collect and KoboCollect do."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from django.db import connection

from harborlight.accounts.models import ApiToken, Organisation
from harborlight.accounts.models import Role
from harborlight.accounts.tokens import create_token, revoke
from harborlight.fieldintake.forms import htcds_form
from harborlight.fieldintake.models import FieldAttachment, FieldSubmission
from harborlight.intake.models import Channel, Tip
from harborlight.security.audit.log import audited
from openrosa_client import OpenRosaClient, instance_xml
from tests_support import assert_trail, audit_mark, make_user

PHOTO = b"\xff\xd8 a photo"
NARRATIVE = "Met a worker at the farm gate; the crew boss keeps their passports and wages."


@pytest.fixture
def field(live_server, transactional_db):
    organisation = Organisation.objects.create(name="Field Outreach", slug="field-outreach")
    worker = make_user(organisation, Role.HOTLINE_OPERATOR, "outreach-ana")
    token = create_token(worker, "phone of Ana")
    server_url = f"{live_server.url}/openrosa/{organisation.slug}"
    return organisation, worker, token, server_url


def _client(field, **overrides) -> OpenRosaClient:
    _organisation, worker, token, server_url = field
    return OpenRosaClient(server_url, **{"username": worker.username, "token": token,
                                         **overrides})


def _interview(instance_id: str | None = None, version: str | None = None) -> bytes:
    return instance_xml(
        version=version or htcds_form().version,
        instance_id=instance_id or f"uuid:{uuid.uuid4()}",
        con_Consent="TRUE", narrative=NARRATIVE, danger_now="no", minor_involved="yes",
        prs_First_Name="Rosa", prs_Second_Name="Example", prs_Gender="Feminine",
        vic_TypeOfExploitation="ForcedLabour",
        vic_Methods_of_Control="DebtBondage WithholdsDocuments",
        vic_LocationOfExploitation="Farm near Salinas")


def test_it_challenges_a_device_without_credentials(field):
    for reply in (_client(field, token="").form_list(),
                  _client(field, token="").head_submission(),
                  _client(field, token="").submit(_interview())):
        assert reply.status == 401
        assert reply.headers["X-OpenRosa-Version"] == "1.0"
        assert reply.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert not Tip.objects.exists()


def test_it_refuses_wrong_credentials(field):
    organisation, worker, token, _url = field
    wrong = [_client(field, token=token[:-2] + "xx"),                 # a wrong secret
             _client(field, username="someone-else"),                 # another account's name
             _client(field, token="not-a-token"),
             _client(field, token=token[:-2] + "xx", bearer=True)]
    for client in wrong:
        assert client.form_list().status == 401
        assert client.submit(_interview()).status == 401
    revoke(ApiToken.objects.get(user=worker))
    assert _client(field).form_list().status == 401
    assert not Tip.objects.exists()


def test_it_refuses_a_role_without_field_intake_and_another_organisation(field):
    organisation, _worker, _token, server_url = field
    analyst = make_user(organisation, Role.ANALYST, "analyst-bo")
    reply = OpenRosaClient(server_url, username=analyst.username,
                           token=create_token(analyst)).form_list()
    assert reply.status == 403 and "may not send field interviews" in reply.message()
    other = Organisation.objects.create(name="Other Shelter", slug="other-shelter")
    outsider = make_user(other, Role.HOTLINE_OPERATOR, "outsider-cy")
    reply = OpenRosaClient(server_url, username=outsider.username,
                           token=create_token(outsider)).submit(_interview())
    assert reply.status == 404 and not Tip.objects.exists()


def test_it_lists_and_serves_the_htcds_form(field):
    client = _client(field)
    reply = client.form_list()
    assert reply.status == 200 and reply.headers["X-OpenRosa-Version"] == "1.0"
    assert reply.headers["Content-Type"].startswith("text/xml")
    (form,) = client.forms()
    assert form["formID"] == "htcds_intake" and form["version"] == htcds_form().version
    download = client.request("GET", form["downloadUrl"])
    assert download.status == 200 and download.headers["X-OpenRosa-Version"] == "1.0"
    assert form["hash"] == "md5:" + hashlib.md5(download.body).hexdigest()
    # The HTCDS toolkit's own question names, spelling variants included.
    for name in (b"<prs_First_Name/>", b"<vic_Methods_of_Control/>", b"<instanceID/>"):
        assert name in download.body
    assert _client(field, bearer=True).form_list().status == 200


def test_it_answers_head_with_the_size_it_accepts(field, settings):
    reply = _client(field).head_submission()
    assert reply.status == 204
    assert reply.headers["X-OpenRosa-Accept-Content-Length"] == str(settings.MAX_UPLOAD_BYTES)


def test_a_submission_becomes_one_encrypted_audited_tip_and_a_resubmission_nothing(field):
    organisation, worker, _token, _url = field
    instance_id = f"uuid:{uuid.uuid4()}"
    mark = audit_mark()
    reply = _client(field).submit(_interview(instance_id), {"photo.jpg": PHOTO})
    assert reply.status == 201, reply.body
    tip = Tip.objects.get()
    assert reply.message() == f"Received as tip {tip.reference}."
    assert (tip.organisation, tip.logged_by, tip.narrative) == (organisation, worker, NARRATIVE)
    assert tip.location == "Farm near Salinas" and tip.people_involved == "Rosa Example"
    assert tip.answers["minor_involved"] == "yes" and tip.channel == Channel.FIELD
    submission = FieldSubmission.objects.get(instance_id=instance_id)
    kept = json.loads(submission.htcds)
    assert kept["vic_MethodsOfControl"] == ["DebtBondage", "WithholdsDocuments"]
    assert kept["prs_FirstName"] == "Rosa" and "prs_First_Name" not in kept
    (photo,) = submission.attachments.all()
    assert (photo.name, photo.size, photo.file.read()) == ("photo.jpg", len(PHOTO), PHOTO)
    assert PHOTO not in photo.file.storage.read_raw(photo.file.name)  # encrypted on disk
    assert_trail(mark, ("create", tip))  # one act, one entry, by the intake service
    # The narrative, names and place are stored encrypted, and so is triage's evidence,
    # which quotes the narrative.
    with connection.cursor() as cursor:
        for table in ("intake_tip", "fieldintake_fieldsubmission"):
            cursor.execute(f"SELECT * FROM {table}")
            dump = repr(cursor.fetchall())
            assert NARRATIVE not in dump and "Rosa" not in dump and "Salinas" not in dump

    again = _client(field).submit(_interview(instance_id))
    assert again.status == 202 and "already received" in again.message()
    assert Tip.objects.count() == 1 and FieldSubmission.objects.count() == 1
    assert_trail(mark, ("create", tip))


def test_it_refuses_an_unknown_form_version_with_a_sentence(field):
    reply = _client(field).submit(_interview(version="2019010101"))
    assert reply.status == 400 and reply.headers["X-OpenRosa-Version"] == "1.0"
    assert "version “2019010101”" in reply.message()
    assert f"takes version “{htcds_form().version}”" in reply.message()
    unknown = instance_xml(form_id="someone_elses_form", version="1", instance_id="uuid:x",
                           narrative=NARRATIVE)
    reply = _client(field).submit(unknown)
    assert reply.status == 400 and "no form with id" in reply.message()
    reply = _client(field).submit(b"<data id='htcds_intake'")
    assert reply.status == 400 and "not a readable" in reply.message()
    assert not Tip.objects.exists()


def test_it_refuses_an_oversized_attachment(field, settings):
    settings.MAX_UPLOAD_BYTES = 200_000
    reply = _client(field).submit(_interview(), {"video.mp4": b"v" * 400_000})
    assert reply.status == 413
    assert "larger than" in reply.message()
    assert reply.headers["X-OpenRosa-Version"] == "1.0"
    assert not Tip.objects.exists()


def test_the_submission_and_its_files_go_with_the_tip(field):
    assert _client(field).submit(_interview(), {"voice.m4a": b"recorded words"}).status == 201
    attachment = FieldAttachment.objects.get()
    stored, storage = attachment.file.name, attachment.file.storage
    assert storage.exists(stored)
    with audited():  # as retention and erasure delete a tip: in an act of their own
        Tip.objects.all().delete()
    assert not FieldSubmission.objects.exists() and not FieldAttachment.objects.exists()
    assert not storage.exists(stored)


def test_the_operator_reads_the_field_interview_in_the_console(field, signed_in_client):
    _organisation, worker, _token, _url = field
    assert _client(field).submit(_interview()).status == 201
    page = signed_in_client(worker).get(f"/tips/{Tip.objects.get().reference}/")
    text = page.content.decode()
    assert page.status_code == 200 and "by field interview" in text, text
    assert "<mark>keeps their passports</mark>" in text  # triaged: the sign is marked


def test_it_refuses_an_interview_without_narrative_id_or_file_and_one_too_long(field):
    version = htcds_form().version
    cases = [
        (instance_xml(version=version, instance_id="uuid:a", danger_now="no"),
         "no answer to “What did you see or hear?”"),
        (instance_xml(version=version, instance_id="", narrative=NARRATIVE),
         "no meta/instanceID"),
        (instance_xml(version=version, instance_id="uuid:b", narrative="x" * 10_001),
         "longer than 10,000 characters"),
    ]
    for instance, sentence in cases:
        reply = _client(field).submit(instance)
        assert reply.status == 400 and sentence in reply.message(), reply.body
    no_file = _client(field).request("POST", f"{field[3]}/submission", b"--x--\r\n",
                                     {"Content-Type": "multipart/form-data; boundary=x"})
    assert no_file.status == 400 and "no xml_submission_file" in no_file.message()
    assert not Tip.objects.exists() and not FieldSubmission.objects.exists()
