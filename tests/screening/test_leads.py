"""Leads: ranked by the strength of their links, with the edges that hold them together."""

import csv
import json
import random

from harborlight.screening import screen

KEY = b"leads-test-key-0123456789abcdef01"
DISCLAIMER = ("Disclaimer: by contacting me you agree that you are not law enforcement or "
              "working with any agency, and that nothing in this ad is an offer of anything "
              "other than my time and company. No law enforcement, no games, serious only.")
WORDS = ("amber birch cedar delta ember flint glade hazel iris jade karma lotus maple north "
         "olive pearl quartz raven sable thyme ultra velvet willow yarrow zinnia apple bread "
         "chair dance eagle fable grape house igloo jelly kite lemon mango noble ocean piano "
         "queen river stone tiger umbra vivid whale xenon yacht zebra").split()


def own_words(poster: int, count: int = 10) -> str:
    """Words of poster ``poster`` alone (no two posters share a pair of them)."""
    return " ".join(random.Random(poster).sample(WORDS, count))


def contact_and_text_networks() -> list[dict]:
    ads = [{"id": f"phone-{i}", "site": "s",
            "body": f"{own_words(10 + i, 12)} call 916-555-0101"} for i in range(3)]
    text = ("Sunny vinyl evenings, tarot on rooftops, horchata with my three-legged dog "
            "Biscuit, thrift store hats and pottery nights near the old pier")
    ads += [{"id": f"text-{i}", "site": "s", "body": f"{text} call 916-555-011{i}"}
            for i in range(3)]
    return ads


def test_it_ranks_a_network_held_by_a_contact_above_one_held_by_text():
    result = screen(contact_and_text_networks(), key=KEY)
    by_members = {frozenset(lead["members"]): lead for lead in result.networks}
    by_phone = by_members[frozenset({"phone-0", "phone-1", "phone-2"})]
    by_text = by_members[frozenset({"text-0", "text-1", "text-2"})]
    assert by_phone["support"]["grade"] == "contact"
    assert by_text["support"]["grade"] == "text"
    assert by_phone["score"] > by_text["score"] and by_phone["rank"] < by_text["rank"]
    text_edges = [edge for edge in by_text["edges"] if edge["kind"] == "text"]
    assert len(text_edges) == 2
    assert all(edge["similarity"] >= 0.6 and edge["shared_distinctive_shingles"] >= 6
               and 0 < edge["rare_share"] <= 1 for edge in text_edges)
    assert any("share distinctive text" in reason for reason in by_text["reasons"])
    assert [edge["kind"] for edge in by_phone["edges"]] == ["contact"]


def test_it_writes_the_edges_and_the_support_in_every_output(tmp_path):
    screen(contact_and_text_networks(), key=KEY).write(tmp_path)
    with open(tmp_path / "networks.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["support"] for row in rows} == {"contact", "text"}
    assert any(row["edges"].startswith("phone +1-XXX-XXX-XX01 (3 ads)") for row in rows)
    assert any("text text-1~text-0 (similarity 1.00" in row["edges"] for row in rows)
    leads = json.loads((tmp_path / "leads.json").read_text(encoding="utf-8"))
    assert all(lead["edges"] and lead["support"]["grade"] for lead in leads["networks"])
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Support: contact" in report and "Edges that hold it together" in report
    assert "similarity" in report and 'class="pair"' in report


def test_it_does_not_glue_unrelated_posters_through_stock_text():
    ads = []
    for poster in range(12):
        for copy in range(2):
            ads.append({"id": f"p{poster}-{copy}", "site": "s",
                        "body": f"{own_words(poster, 6)}. {DISCLAIMER} "
                                f"Text 916-555-01{20 + poster}"})
    result = screen(ads, key=KEY, linker_params={"link_kinds": ()})
    assert result.summary["boilerplate_shingles"] > 20
    for lead in result.networks:
        assert len({member.split("-")[0] for member in lead["members"]}) == 1
    assert len(result.networks) == 12  # each poster's two ads, linked by her own words
