"""An organisation's own indicators (issue 17): added on a page with words in English and
Spanish and the HTCDS value each stands for; read for that organisation's tips only;
triage reads them as that value; versioned like vocabulary values; retired, not deleted,
once a tip used them."""

from __future__ import annotations

from harborlight.cases.models import LocalValue
from harborlight.intake import triage
from harborlight.intake.catalog import add_indicator, current_catalog
from harborlight.intake.models import SuggestionReview
from harborlight.intake.triage import create_tip
from harborlight.vocab.triage import decide_level, parse_rules
from tests_support import assert_trail, audit_mark

PAGE = "/tips/catalog/own/"
SCAM = {"category": "labour_trafficking", "label_en": "Held in a scam compound",
        "label_es": "Retenido en un centro de estafas",
        "maps_to": "vic_TypeOfExploitation=ForcedLabour", "evidence_grade": "B",
        "source": "Partner bulletin, 2026", "cues": r"\bscam (compound|centre)s?\b"}
NARRATIVE = "My brother is held in a scam compound; they say he owes them for the trip."


def _add(client, **changes):
    return client.post(PAGE, {**SCAM, **changes})


def test_an_administrator_adds_an_indicator_that_reads_only_their_tips(cast,
                                                                       signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    assert admin.get(PAGE).status_code == 200
    mark = audit_mark()
    assert _add(admin).status_code == 302
    value = LocalValue.objects.get(field="indicator")
    ident = value.entry["id"]
    assert (value.organisation, ident, value.version) == (
        cast.own, "labour_trafficking.x-held-in-a-scam", 1)
    assert [v.entry["cues"] for v in value.versions.all()] == [[SCAM["cues"]]]
    assert_trail(mark, ("create", value))
    indicator = current_catalog(cast.own.pk).get(ident)
    assert indicator.words("es") == SCAM["label_es"] and indicator.words("en") == \
        SCAM["label_en"]
    assert indicator.codings == {"vic_TypeOfExploitation": ("ForcedLabour",)}
    assert current_catalog(cast.other.pk).get(ident) is None
    assert current_catalog().get(ident) is None  # not site-wide
    ours, _ = create_tip(cast.own, narrative=NARRATIVE, channel="call")
    theirs, _ = create_tip(cast.other, narrative=NARRATIVE, channel="call")
    assert f"indicator:{ident}" in {s.key for s in triage.suggestions(ours)}
    assert f"indicator:{ident}" not in {s.key for s in triage.suggestions(theirs)}
    page = admin.get(PAGE).content.decode()
    assert "Held in a scam compound" in page and "Forced labour" in page


def test_triage_reads_it_as_the_htcds_value_and_a_rule_may_name_it(cast):
    value = add_indicator(cast.own, cast.role("administrator"), **{
        **SCAM, "cues": [SCAM["cues"]]})
    tip, _ = create_tip(cast.own, narrative=NARRATIVE, channel="call",
                        answers={"indicators": ["control.debt"]})
    assert "ForcedLabour" in triage.evidence(tip).codings()["vic_TypeOfExploitation"]
    assert tip.triage_level == "high"  # forced labour with debt: the shipped rule fired
    rules = parse_rules("""{"format": "harborlight-triage-rules", "version": 1,
      "levels": ["emergency", "high", "standard", "information"],
      "default": {"level": "information", "explain": "-"}, "questions": [],
      "rules": [{"id": "scam", "level": "emergency", "explain": "Scam compound",
                 "when": {"indicator": ["%s"]}}]}""" % value.entry["id"])
    assert decide_level(triage.evidence(tip), rules).level == "emergency"


def test_bad_input_is_refused_with_a_message_and_nothing_written(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    mark = audit_mark()
    for changes, words in (({"cues": "(unclosed"}, "not a valid pattern"),
                           ({"label_es": ""}, "This field is required"),
                           ({"maps_to": "vic_TypeOfExploitation=Nope"},
                            "Select a valid choice"),
                           ({"maps_to": "prs_Gender=Male"}, "Select a valid choice"),
                           ({"category": "nowhere"}, "Select a valid choice")):
        reply = _add(admin, **changes)
        assert reply.status_code == 400 and words in reply.content.decode(), words
    assert not LocalValue.objects.exists()
    assert_trail(mark)


def test_a_used_indicator_is_retired_not_deleted_and_changes_are_versions(
        cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    _add(admin)
    value = LocalValue.objects.get(field="indicator")
    ident = value.entry["id"]
    reply = admin.post(f"{PAGE}{value.pk}/", {**SCAM, "label_es": "En un centro de estafas"})
    assert reply.status_code == 302
    value.refresh_from_db()
    assert (value.version, value.label_es) == (2, "En un centro de estafas")
    assert [v.label_es for v in value.versions.all()] == ["En un centro de estafas",
                                                          SCAM["label_es"]]
    tip, _ = create_tip(cast.own, narrative=NARRATIVE, channel="call")
    SuggestionReview.objects.create(tip=tip, key=f"indicator:{ident}", decision="confirmed")
    mark = audit_mark()
    refused = admin.post(f"{PAGE}{value.pk}/delete/", follow=True)
    assert "held by 1 record: retire it instead" in refused.content.decode()
    assert LocalValue.objects.filter(pk=value.pk).exists()
    assert_trail(mark)
    assert admin.post(f"{PAGE}{value.pk}/retire/").status_code == 302
    value.refresh_from_db()
    assert value.retired_at is not None and value.version == 3
    assert current_catalog(cast.own.pk).get(ident) is None  # no longer reads new tips
    assert_trail(mark, ("update", value))


def test_an_unused_indicator_is_deleted_and_outsiders_are_refused(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    _add(admin)
    value = LocalValue.objects.get(field="indicator")
    outsider = signed_in_client(cast.outsiders["caseworker"])
    assert outsider.get(f"{PAGE}{value.pk}/").status_code in (403, 404)
    operator = signed_in_client(cast.role("hotline_operator"))
    assert operator.get(PAGE).status_code == 403
    assert admin.post(f"{PAGE}{value.pk}/delete/").status_code == 302
    assert not LocalValue.objects.exists()


def test_the_vocabulary_pages_neither_list_nor_delete_an_indicator(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    _add(admin)
    value = LocalValue.objects.get(field="indicator")
    assert "Held in a scam compound" not in admin.get("/vocabularies/").content.decode()
    refused = admin.post(f"/vocabularies/{value.pk}/delete/", follow=True)
    assert "on your organisation&#x27;s indicators page" in refused.content.decode()
    assert LocalValue.objects.filter(pk=value.pk).exists()


def test_a_spanish_reading_administrator_reads_the_page_in_spanish(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    admin.post("/accounts/language/", {"language": "es"})
    _add(admin)
    page = admin.get(PAGE).content.decode()
    assert "Los indicadores de su organización" in page and "Equivale a" in page
    assert "Your organisation" not in page and "Stands for" not in page
    value = LocalValue.objects.get(field="indicator")
    one = admin.get(f"{PAGE}{value.pk}/").content.decode()
    assert "Reportes que lo usaron" in one and "Guardar como versión nueva" in one


def test_the_operator_may_tick_the_organisations_own_indicator_on_a_tip(cast):
    from harborlight.intake.forms import AnswersForm

    value = add_indicator(cast.own, cast.role("administrator"), **{
        **SCAM, "cues": [SCAM["cues"]]})
    ident = value.entry["id"]
    assert AnswersForm({"indicators": [ident]}, organisation=cast.own).is_valid()
    assert not AnswersForm({"indicators": [ident]}, organisation=cast.other).is_valid()


def test_the_operator_logs_a_new_tip_with_the_organisations_own_indicator(
        cast, signed_in_client):
    """The new-tip page offers the organisation's own indicators beside the shipped ones
    (as the tip page's answers form does); an outsider's operator cannot tick them."""
    from harborlight.intake.models import Tip

    value = add_indicator(cast.own, cast.role("administrator"), **{
        **SCAM, "cues": [SCAM["cues"]]})
    ident = value.entry["id"]
    operator = cast.role("hotline_operator")
    client = signed_in_client(operator)
    assert "Held in a scam compound" in client.get("/tips/new/").content.decode()
    contact = {"channel": "call", "caller_type": "family", "narrative": "He is not paid.",
               "indicators": [ident]}
    assert client.post("/tips/new/", contact).status_code == 302
    tip = Tip.objects.get(logged_by=operator)
    assert tip.answers["indicators"] == [ident]
    from harborlight.intake.forms import ContactForm

    assert not ContactForm(contact, organisation=cast.other).is_valid()
    assert ContactForm(contact, organisation=cast.own).is_valid()
