"""Per-record history: encrypted versions at every change, the diff page, restore (issue 17).

A case and its person are edited through the pages, the caseworker reads the diff in
words (audited once), an outsider gets 404, a supervisor restores a field and a whole
version (each a new version, audited once); bad restore input is refused with a message
and writes nothing; erasure and retention take the versions with them; the versions table
holds no plaintext and key rotation re-encrypts it.
"""

from __future__ import annotations

import datetime
import shutil

import pytest
from django.contrib.messages import get_messages
from django.db import connection

from harborlight.accounts.models import Role
from harborlight.cases import forms
from harborlight.cases.erasure import erase_person
from harborlight.cases.history import RestoreError, history, restore
from harborlight.cases.models import Case, Person, SafetyPlan
from harborlight.cases.retention import Rule, purge
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose
from harborlight.security.audit.models import RecordVersion
from harborlight.security.audit.versions import versions_of
from harborlight.security import rotation
from harborlight.security.checks import encrypted_columns, verify_keyring
from harborlight.security.crypto import key_id_of, set_keyring
from harborlight.security.fields import blind_lookup
from tests_support import assert_audited, assert_trail, audit_mark


def person_data(person, **changes) -> dict:
    """What the person edit form posts when nothing but ``changes`` is typed."""
    form = forms.PersonForm(instance=person)
    data = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        if value in (None, False):
            continue
        data[name] = value
    for name, value in changes.items():
        data[name] = value
    return data


@pytest.fixture
def edited(cast, signed_in_client):
    """The caseworker edits the case's person three times, through the edit page."""
    person = cast.own_case.persons.get()
    client = signed_in_client(cast.role(Role.CASEWORKER))
    url = f"/cases/{cast.own_case.reference}/people/{person.pk}/edit/"
    for changes in ({"mobile_phone": "+1 202-555-0101"},
                    {"mailing_city": "Tucson", "methods_of_control": ["DebtBondage"]},
                    {"mobile_phone": "+1 202-555-0199"}):
        person.refresh_from_db()
        response = client.post(url, person_data(person, **changes))
        assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    return person


def history_url(case, person=None) -> str:
    if person is None:
        return f"/cases/{case.reference}/history/"
    return f"/cases/{case.reference}/history/person/{person.pk}/"


def test_it_keeps_a_version_at_every_change_naming_who_and_which_act(cast, edited):
    kept = list(versions_of(edited))
    assert [v.number for v in kept] == [1, 2, 3, 4]  # created by the fixture, three edits
    assert [v.action for v in kept] == ["create", "update", "update", "update"]
    assert {v.actor_username for v in kept[1:]} == {cast.role(Role.CASEWORKER).username}
    assert kept[1].values["mobile_phone"] == "+1 202-555-0101"
    assert kept[3].values["mobile_phone"] == "+1 202-555-0199"
    entries = assert_audited("update", edited, times=3)
    assert [v.entry_seq for v in kept[1:]] == [e.seq for e in entries]


def test_the_caseworker_reads_the_diff_in_words_and_the_read_is_audited(
        cast, edited, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = client.get(history_url(cast.own_case, edited))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Version 4" in page and "+1 202-555-0101" in page and "+1 202-555-0199" in page
    assert "Tucson" in page
    assert "Debt bondage" in page and "DebtBondage" not in page  # words, not codes
    assert "vic_MethodsOfControl" not in page and "prs_MobilePhone" not in page
    assert "Put this value back" not in page  # restoring is a supervisor's
    assert_trail(mark, ("read", edited))
    assert response["Cache-Control"] == "no-store"


def test_the_case_page_links_its_history_and_the_case_history_lists_its_records(
        cast, edited, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    case = cast.own_case
    assert history_url(case) in client.get(f"/cases/{case.reference}/").content.decode()
    client.post(f"/cases/{case.reference}/status/", {"status": "FollowUp"})
    mark = audit_mark()
    page = client.get(history_url(case)).content.decode()
    assert "Status changed" in page and "Follow up" in page.replace("Follow Up", "Follow up")
    assert "FollowUp" not in page
    assert history_url(case, edited) in page
    assert_trail(mark, ("read", case))


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
def test_an_outsider_gets_404_and_no_values(cast, edited, signed_in_client, role):
    client = signed_in_client(cast.outsiders[role])
    for url in (history_url(cast.own_case), history_url(cast.own_case, edited)):
        response = client.get(url)
        assert response.status_code == 404
        assert "555-0101" not in response.content.decode()
    response = client.post(history_url(cast.own_case, edited) + "restore/",
                           {"version": 2, "field": "mobile_phone"})
    assert response.status_code in (403, 404)


def test_a_caseworker_may_not_restore(cast, edited, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    response = client.post(history_url(cast.own_case, edited) + "restore/",
                           {"version": 2, "field": "mobile_phone"})
    assert response.status_code == 403
    assert versions_of(edited).count() == 4


def test_a_supervisor_restores_a_field_as_a_new_version_audited_once(
        cast, edited, signed_in_client):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    assert "Put this value back" in client.get(history_url(cast.own_case, edited)) \
        .content.decode()
    mark = audit_mark()
    response = client.post(history_url(cast.own_case, edited) + "restore/",
                           {"version": 2, "field": "mobile_phone"})
    assert response.status_code == 302
    edited.refresh_from_db()
    assert edited.mobile_phone == "+1 202-555-0101"
    assert edited.mailing_city == "Tucson"  # only the field asked for
    assert_trail(mark, ("update", edited))
    [entry] = assert_audited("update", edited, since=mark)
    assert entry.details == {"change": "restore", "from_version": 2,
                             "fields": ["mobile_phone"]}
    newest = versions_of(edited).last()
    assert newest.number == 5 and newest.change == "restore"
    assert newest.actor_username == cast.role(Role.SUPERVISOR).username
    # the blind index follows the restored value: search finds the person by it again
    assert Person.objects.filter(**blind_lookup(Person, "mobile_phone",
                                                "+1 202-555-0101")).get() == edited
    assert history(edited)[0].act == "Restored from an earlier version"


def test_a_supervisor_restores_a_whole_version(cast, edited):
    restore(edited, 1, by=cast.role(Role.SUPERVISOR))
    edited.refresh_from_db()
    assert (edited.mobile_phone, edited.mailing_city, edited.methods_of_control) == \
        ("+1 202-555-0143", "", [])
    assert edited.first_name == "Marisol"
    assert versions_of(edited).last().values["mobile_phone"] == "+1 202-555-0143"


@pytest.mark.parametrize("post, message", [
    ({"version": 9, "field": "mobile_phone"}, "There is no version 9"),
    ({"version": 2, "field": "merged_into"}, "cannot be restored"),
    ({"version": 2, "field": "no_such_field"}, "cannot be restored"),
    ({"version": 4, "field": "mobile_phone"}, "Nothing to restore"),
    ({"version": "two"}, "correct"),
])
def test_bad_restore_input_is_refused_with_a_message_and_writes_nothing(
        cast, edited, signed_in_client, post, message):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    mark = audit_mark()
    response = client.post(history_url(cast.own_case, edited) + "restore/", post)
    assert response.status_code == 302
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert message in said, said
    assert versions_of(edited).count() == 4
    assert_trail(mark)
    edited.refresh_from_db()
    assert edited.mobile_phone == "+1 202-555-0199"


def test_a_version_no_longer_valid_is_refused_whole(cast, edited):
    """A stored value the model would refuse today (here: a code that is not HTCDS) is
    not half-restored: the record and its history stay as they were."""
    version = versions_of(edited).get(number=2)
    version.values = {**version.values, "methods_of_control": ["NotACode"],
                      "mobile_phone": "+1 202-555-0111"}
    version.save()
    mark = audit_mark()
    with pytest.raises(RestoreError, match="cannot be restored"):
        restore(edited, 2, by=cast.role(Role.SUPERVISOR))
    assert edited.mobile_phone == "+1 202-555-0199"  # not even in memory
    edited.refresh_from_db()
    assert edited.mobile_phone == "+1 202-555-0199"
    assert versions_of(edited).count() == 4
    assert_trail(mark)


def test_workflow_fields_and_consents_are_never_restored(cast, signed_in_client):
    case = cast.own_case
    case.set_status("FollowUp", by=cast.role(Role.CASEWORKER))
    with pytest.raises(RestoreError, match="cannot be restored"):
        restore(case, 1, by=cast.role(Role.SUPERVISOR), field_name="status")
    consent = Consent.objects.record(
        by=cast.role(Role.CASEWORKER), purpose=ConsentPurpose.REFERRAL,
        method=ConsentMethod.VERBAL, retention_explained=True, withdrawal_explained=True,
        case=case, person=case.persons.get(), wording="Yes to the shelter",
        recipient="Harbor Shelter", fields_allowed=["prs_FirstName", "prs_MobilePhone"])
    consent.withdraw(by=cast.role(Role.CASEWORKER), note="Changed their mind")
    assert [v.number for v in versions_of(consent)] == [1, 2]
    with pytest.raises(RestoreError, match="never changed"):
        restore(consent, 1, by=cast.role(Role.SUPERVISOR))
    page = signed_in_client(cast.role(Role.SUPERVISOR)).get(
        f"/cases/{case.reference}/history/consent/{consent.pk}/").content.decode()
    assert "Consent withdrawn" in page and "Changed their mind" in page
    assert "Harbor Shelter" in page and "Consent withdrawn" in page
    assert "Put this value back" not in page
    assert "prs_" not in page and "First name" in page  # the fields shared, in words


def test_a_safety_plan_keeps_versions_and_its_review_task_follows_a_restore(cast):
    caseworker = cast.role(Role.CASEWORKER)
    plan = SafetyPlan(organisation=cast.own, case=cast.own_case, code_words="blue umbrella",
                      review_on=datetime.date(2027, 1, 1))
    plan.save_by(caseworker)
    plan.code_words, plan.review_on = "green door", datetime.date(2027, 3, 1)
    plan.save_by(caseworker)
    restore(plan, 1, by=cast.role(Role.SUPERVISOR))
    plan.refresh_from_db()
    assert plan.code_words == "blue umbrella"
    assert plan.tasks.get(done_at__isnull=True).due_on == datetime.date(2027, 1, 1)
    assert [v.number for v in versions_of(plan)] == [1, 2, 3]


def test_the_versions_hold_no_plaintext_in_the_database(cast, edited):
    assert (RecordVersion, RecordVersion._meta.get_field("values")) in list(
        encrypted_columns())  # so keys rotate / keys check cover them
    with connection.cursor() as cursor:
        cursor.execute("SELECT \"values\" FROM audit_recordversion")
        stored = " ".join(row[0] for row in cursor.fetchall())
    for clear in ("Marisol", "Quintero", "555-0101", "555-0199", "Tucson", "mobile_phone",
                  "DebtBondage"):
        assert clear not in stored


def test_erasure_removes_every_version_of_the_person(cast, edited):
    plan = SafetyPlan(organisation=cast.own, case=cast.own_case, person=edited,
                      code_words="red door", review_on=datetime.date(2027, 1, 1))
    plan.save_by(cast.role(Role.CASEWORKER))
    consent = Consent.objects.record(
        by=cast.role(Role.CASEWORKER), purpose=ConsentPurpose.REFERRAL,
        method=ConsentMethod.VERBAL, retention_explained=True, withdrawal_explained=True,
        case=cast.own_case, person=edited, wording="Yes to the shelter", recipient="Harbor Shelter")
    assert versions_of(plan).exists() and versions_of(consent).exists()
    erase_person(edited, by=cast.role(Role.SUPERVISOR), reason="The person asked us to.")
    assert not versions_of(edited).exists()
    assert not versions_of(consent).exists()
    assert not RecordVersion.objects.filter(object_id=plan.pk,
                                            content_type__model="safetyplan").exists()
    assert versions_of(cast.own_case).exists()  # the case's own history stays


def test_an_erased_persons_history_says_so(cast, edited, signed_in_client):
    erase_person(edited, by=cast.role(Role.SUPERVISOR), reason="The person asked us to.")
    page = signed_in_client(cast.role(Role.CASEWORKER)).get(
        history_url(cast.own_case, edited)).content.decode()
    assert "erased, and their history with it" in page and "555-01" not in page


def test_a_restricted_case_history_needs_break_glass(cast, signed_in_client):
    case = cast.own_restricted_case
    response = signed_in_client(cast.teammate).get(history_url(case))
    assert response.status_code in (302, 403)
    assert "Restricted case summary" not in response.content.decode()
    response = signed_in_client(cast.role(Role.CASEWORKER)).get(history_url(case))
    assert response.status_code == 200  # the caseworker it is assigned to
    assert "Restricted case summary" in response.content.decode()


def test_retention_purges_versions_with_their_record(cast, edited):
    case = cast.own_case
    Case.objects.filter(pk=case.pk).update(closed_at=datetime.datetime(
        2000, 1, 1, tzinfo=datetime.timezone.utc), status="Closed")
    assert RecordVersion.objects.filter(organisation=cast.own).exists()
    rule = Rule(record="cases.Case", after="closed_at", days=30, what="closed cases")
    [(_, counts)] = purge(rules=(rule,))
    assert counts.get("audit.RecordVersion")
    assert not versions_of(edited).exists() and not versions_of(case).exists()


@pytest.fixture
def keyring_file(settings, tmp_path):
    """A private copy of the suite's keyring file, which rotation may rewrite."""
    path = tmp_path / "keys.json"
    shutil.copy2(settings.KEYS_FILE, path)
    settings.KEYS_FILE = str(path)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    set_keyring(None)
    yield path
    set_keyring(None)


def test_key_rotation_re_encrypts_the_versions_and_keys_check_reads_them(
        cast, edited, keyring_file):
    def version_key_ids() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT \"values\" FROM audit_recordversion")
            return {key_id_of(token) for (token,) in cursor.fetchall()}

    before = version_key_ids()
    result = rotation.rotate_keys(batch_size=3, retire_old=True)
    assert version_key_ids() == {result.new_key_id} != before
    set_keyring(None)
    assert versions_of(edited).get(number=2).values["mobile_phone"] == "+1 202-555-0101"
    assert verify_keyring()[result.new_key_id] >= versions_of(edited).count()


def test_a_record_stored_without_versions_keeps_its_state_before_the_first_edit(
        cast, signed_in_client):
    """A person imported in bulk (no signals, no version) and then edited on the page:
    the history keeps the person as loaded before the edit, then the edit."""
    person = Person.objects.bulk_create([Person(
        organisation=cast.own, case=cast.own_case, role="victim", first_name="Ana",
        second_name="Bulk", mobile_phone="+1 202-555-0120")])[0]
    assert not versions_of(person).exists()
    client = signed_in_client(cast.role(Role.CASEWORKER))
    response = client.post(f"/cases/{cast.own_case.reference}/people/{person.pk}/edit/",
                           person_data(person, mobile_phone="+1 202-555-0121"))
    assert response.status_code == 302
    first, second = versions_of(person)
    assert (first.change, first.actor_username) == ("baseline", "")
    assert first.values["mobile_phone"] == "+1 202-555-0120"
    assert second.values["mobile_phone"] == "+1 202-555-0121"
    assert second.actor_username == cast.role(Role.CASEWORKER).username
    [latest, baseline] = history(person)
    assert baseline.act == "As it was before its history began"
    assert [(c.before, c.after) for c in latest.changes] == [("+1 202-555-0120",
                                                              "+1 202-555-0121")]


def test_the_persons_own_export_carries_their_kept_versions(cast, edited, signed_in_client):
    """A data-subject export holds the person's own earlier values (issue 17)."""
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    url = f"/cases/{cast.own_case.reference}/people/{edited.pk}/export/"
    document = client.get(url + "?format=json").json()
    (item,) = document["records"]
    kept = item["versions"]["person"]
    assert [v["version"] for v in kept] == [1, 2, 3, 4]
    assert [v["values"]["mobile_phone"] for v in kept[1:]] == [
        "+1 202-555-0101", "+1 202-555-0101", "+1 202-555-0199"]
    assert kept[2]["values"]["methods_of_control"] == ["DebtBondage"]
    assert "second_name_index" not in kept[0]["values"]  # no blind indexes
    assert item["versions"]["consents"] == {} and item["versions"]["safety_plans"] == {}
    page = client.get(url).content.decode()
    assert "Person, version 2" in page and "+1 202-555-0101" in page
