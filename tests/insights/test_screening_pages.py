"""Ad screening in the web app: upload a batch, browse leads, open a tip from a lead."""

from __future__ import annotations

import json
import re
import sys

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from harborlight.accounts.models import Role
from harborlight.insights.models import Lead, ScreeningRun
from harborlight.intake.models import Tip
from harborlight.screening.synthetic import generate_ads
from harborlight.security.audit.models import AuditEntry


def batch(n: int = 120, seed: int = 3) -> tuple[bytes, list[dict]]:
    ads = [{k: v for k, v in ad.items() if k != "operator_id"}
           for ad in generate_ads(n, seed=seed)]
    return "\n".join(json.dumps(ad) for ad in ads).encode() + b"\n", ads


def upload(client, content: bytes, name: str = "ads.jsonl"):
    return client.post("/insights/screening/",
                       {"ads": SimpleUploadedFile(name, content, "application/octet-stream")})




def test_it_screens_an_upload_and_keeps_ranked_leads(cast, analyst):
    content, _ = batch()
    response = upload(analyst, content)
    run = ScreeningRun.objects.get()
    assert response.status_code == 302 and response.url == f"/insights/screening/runs/{run.pk}/"
    assert run.organisation == cast.own and run.ads_screened == 120
    leads = list(run.leads.all())
    assert leads and [lead.rank for lead in leads] == list(range(1, len(leads) + 1))
    assert leads[0].score >= leads[-1].score
    page = analyst.get(response.url).content.decode()
    assert leads[0].network_id in page


def test_it_stores_no_raw_contact_values(cast, analyst):
    content, _ = batch()
    known = [{"id": f"known-{i}", "title": "Hostess jobs, travel paid",
              "body": f"Friendly team wanted in city {i}. Call 202-555-0143 today.",
              "phone": "+1 202-555-0143", "posted_at": "2026-11-01", "site": "board",
              "location": "Houston, TX"} for i in range(12)]
    content += "\n".join(json.dumps(ad) for ad in known).encode() + b"\n"
    upload(analyst, content)
    assert any("XX43" in str(lead.details) for lead in Lead.objects.all())
    digits = {"2025550143"}
    texts = []
    with connection.cursor() as cursor:
        for table in ("insights_lead", "insights_screeningrun"):
            cursor.execute(f"SELECT * FROM {table}")
            texts += [str(value) for row in cursor.fetchall() for value in row]
    stored = "".join(texts)
    assert digits and not any(number[-10:] in re.sub(r"\D", "", stored) for number in digits)
    assert "hostess" not in stored.lower()  # lead details are encrypted at rest


def test_it_reports_skipped_lines_and_refuses_bad_files(cast, analyst):
    content, _ = batch(30)
    upload(analyst, content + b"{not json\n")
    run = ScreeningRun.objects.get()
    assert run.records_skipped == 1 and run.problems[0]["line"] == 31
    refused = upload(analyst, b"hello", name="notes.txt")
    assert refused.status_code == 400 and b"JSON Lines" in refused.content
    assert ScreeningRun.objects.count() == 1


def test_it_audits_lead_reads_and_opens_one_tip(cast, analyst):
    content, _ = batch()
    upload(analyst, content)
    lead = Lead.objects.order_by("rank").first()
    page = analyst.get(f"/insights/screening/leads/{lead.pk}/")
    assert page.status_code == 200 and lead.network_id.encode() in page.content
    assert b"Held together by" in page.content  # the lead's support grade, in words
    assert AuditEntry.objects.filter(action="read", object_id=str(lead.pk),
                                     object_type="insights.lead").exists()
    assert analyst.post(f"/insights/screening/leads/{lead.pk}/tip/").status_code == 302
    assert analyst.post(f"/insights/screening/leads/{lead.pk}/tip/").status_code == 302
    lead.refresh_from_db()
    tip = Tip.objects.get(pk=lead.tip_id)
    assert Tip.objects.filter(organisation=cast.own).count() == 2  # the cast's tip + this one
    assert tip.narrative.startswith(f"Ad-screening lead {lead.network_id}")
    assert "XXX" in tip.narrative or "share" not in tip.narrative  # identifiers stay masked


def test_it_keeps_leads_inside_the_organisation(cast, analyst, signed_in_client):
    content, _ = batch()
    upload(analyst, content)
    lead = Lead.objects.first()
    outsider = signed_in_client(cast.outsiders[Role.SUPERVISOR])
    assert outsider.get(f"/insights/screening/leads/{lead.pk}/").status_code == 404
    assert outsider.get(f"/insights/screening/runs/{lead.run_id}/").status_code == 404
    assert signed_in_client(cast.role(Role.CASEWORKER)).get(
        "/insights/screening/").status_code == 403


def test_it_says_what_to_install_when_the_screening_engine_is_missing(analyst, monkeypatch):
    # as on a server installed without the screening extra: pyarrow cannot be imported
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)
    content, _ = batch(40)
    response = upload(analyst, content)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ad screening is not installed on this server" in page
    assert "pip install &#x27;harborlight[screening]&#x27;" in page
    assert "Something went wrong" not in page
    assert not ScreeningRun.objects.exists()


def test_it_shows_a_leads_days_in_the_one_date_format(cast, analyst):
    content, _ = batch()
    upload(analyst, content)
    lead = Lead.objects.order_by("rank").first()
    page = analyst.get(f"/insights/screening/leads/{lead.pk}/").content.decode()
    seen = re.search(r"<dt>Seen</dt><dd>(.*?)</dd>", page).group(1)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", seen) and " to " in seen
    assert re.search(r"\d{1,2} \w{3}\.? \d{4}", seen), seen


def test_a_leads_warning_signs_read_as_words_in_the_readers_language(cast, analyst):
    """The engine names an indicator by its id (``obscured_contact``); the lead page says
    its label, in Spanish for a Spanish reader, never the id."""
    content, _ = batch()
    upload(analyst, content)
    lead = next(lead for lead in Lead.objects.order_by("rank")
                if any("indicator" in part["values"] for part in lead.details["reason_parts"]))
    ids = {part["values"]["indicator"] for part in lead.details["reason_parts"]
           if "indicator" in part["values"]}
    pages = {}
    for language in ("en", "es"):
        analyst.post("/accounts/language/", {"language": language})
        pages[language] = analyst.get(f"/insights/screening/leads/{lead.pk}/").content.decode()
    for ident in ids:
        assert not re.search(rf"\b{ident}\b", pages["en"] + pages["es"])
    labels = {"youthful_language": ("Youthful language", "Lenguaje juvenil"),
              "obscured_contact": ("Obscured contact information", "Datos de contacto ocultos")}
    shown = ids & labels.keys()
    assert shown, f"the synthetic batch should raise a common indicator, got {ids}"
    for ident in shown:
        assert labels[ident][0] in pages["en"] and labels[ident][1] in pages["es"]
