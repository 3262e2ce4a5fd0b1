import json

import pyarrow.parquet as pq
import pytest

from harborlight.screening import ConfigProblem, StateProblem, screen


def partition(result) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for ad in result.ads:
        if ad["network_id"]:
            groups.setdefault(ad["network_id"], set()).add(ad["id"])
    return {frozenset(group) for group in groups.values()}


def test_it_recovers_operators_from_generated_ads(small_ads, key):
    result = screen(small_ads, key=key, batch_size=128)
    truth: dict[str, set[str]] = {}
    for ad in small_ads:
        if ad["operator_id"]:
            truth.setdefault(ad["operator_id"], set()).add(ad["id"])
    found = partition(result)
    exact = sum(1 for group in truth.values() if len(group) > 1 and frozenset(group) in found)
    assert exact >= 0.9 * sum(1 for group in truth.values() if len(group) > 1)
    noise = {ad["id"] for ad in small_ads if not ad["operator_id"]}
    assert sum(1 for ad in result.ads if ad["id"] in noise and ad["network_id"]) <= 5


def test_it_explains_every_lead(small_ads, key):
    result = screen(small_ads, key=key)
    lead = result.networks[0]
    assert lead["rank"] == 1 and lead["size"] == len(lead["members"])
    assert lead["reasons"] and lead["template"]["text"]
    assert lead["cities"] and lead["first_seen"] <= lead["last_seen"]
    assert lead["distinct_names"] >= 1
    scores = [network["score"] for network in result.networks]
    assert scores == sorted(scores, reverse=True)
    json.dumps(result.to_dict())


def test_it_links_a_new_batch_against_saved_state_like_one_run(small_ads, key, tmp_path):
    whole = screen(small_ads, key=key, batch_size=100)
    state = tmp_path / "state"
    screen(small_ads[:350], key=key, state_dir=state, batch_size=100)
    second = screen(small_ads[350:], key=key, state_dir=state, batch_size=100)
    assert second.summary["ads_in_history"] == 350
    combined = {ad["id"]: ad["network_id"] for ad in second.ads}
    expected = {ad["id"]: ad["network_id"] for ad in whole.ads if ad["id"] in combined}
    assert combined == expected
    rerun = screen(small_ads[:10], key=key, state_dir=state)
    assert rerun.summary["ads_screened"] == 0
    assert rerun.summary["records_skipped"] == 10


def test_it_never_writes_raw_contacts_into_state(small_ads, key, tmp_path):
    state = tmp_path / "state"
    result = screen(small_ads[:100], key=key, state_dir=state, reveal_contacts=True)
    numbers = {value for ad in result.ads for _digest, value in ad["revealed"]
               if value.startswith("+")}
    others = {value for ad in result.ads for _digest, value in ad["revealed"]} - numbers
    assert len(numbers) > 10 and others
    blob = b"".join(path.read_bytes() for path in state.rglob("*") if path.is_file())
    for number in numbers:
        assert number.encode() not in blob and number[2:].encode() not in blob
    for value in others:
        assert value.encode() not in blob


def test_it_refuses_state_written_with_another_key(small_ads, key, tmp_path):
    screen(small_ads[:20], key=key, state_dir=tmp_path)
    with pytest.raises(StateProblem, match="different screening key"):
        screen(small_ads[20:40], key=b"z" * 32, state_dir=tmp_path)


def test_it_gives_an_empty_report_for_empty_input(key, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    result = screen(path, key=key)
    assert result.ads == [] and result.networks == []
    written = result.write(tmp_path / "out")
    assert sorted(p.name for p in written) == ["ads.csv", "leads.json", "networks.csv",
                                               "report.html"]


def test_it_rejects_a_short_key_and_a_bad_region(key):
    with pytest.raises(ConfigProblem):
        screen([], key=b"short")
    with pytest.raises(ConfigProblem):
        screen([], key=key, region="Atlantis")


# -- issue 13: what the state keeps ---------------------------------------------------------

STOCK = ("Disclaimer: by contacting me you agree that you are not law enforcement or working "
         "with any agency, and that nothing in this ad is an offer of anything other than my "
         "time and company. Please be respectful, clean and on time, no games, serious only.")


def stock_ads(first: int, posters: int, prefix: str) -> list[dict]:
    words = ("amber birch cedar delta ember flint glade hazel iris jade karma lotus maple "
             "north olive pearl quartz raven sable thyme ultra velvet willow yarrow").split()
    return [{"id": f"{prefix}{poster}", "site": "s",
             "body": f"{' '.join(words[(poster * 5) % 24:(poster * 5) % 24 + 2])}. {STOCK} "
                     f"Text 916-555-01{poster:02d}"}
            for poster in range(first, first + posters)]


def test_it_keeps_the_boilerplate_model_in_the_state(key, tmp_path):
    pair = stock_ads(20, 2, "new")  # two posters: stock text and a word pair each
    alone = screen(pair, key=key, linker_params={"link_kinds": ()})
    assert len(alone.networks) == 1  # two posters cannot tell stock text from shared text
    screen(stock_ads(0, 12, "old"), key=key, state_dir=tmp_path)
    later = screen(pair, key=key, state_dir=tmp_path, linker_params={"link_kinds": ()})
    assert later.networks == []  # the state knows the stock text: nothing links them


def test_it_undoes_an_earlier_link_when_a_number_turns_out_to_be_a_hub(key, tmp_path):
    def ad(ident: str, own: int, words: str) -> dict:
        return {"id": ident, "site": "s",
                "body": f"{words} call 916-555-01{own:02d} or the line 916-555-0199"}

    first = [ad("a", 10, "quiet garden kite lemon"), ad("b", 11, "brass piano ocean fern")]
    assert len(screen(first, key=key, state_dir=tmp_path).networks) == 1
    later = [ad(f"c{i}", 20 + i, words) for i, words in enumerate([
        "amber violet tide", "birch marble cloud", "cedar lantern moss", "delta copper rain",
        "ember willow stone", "flint harbor snow"])]
    result = screen(later, key=key, state_dir=tmp_path)
    assert [hub["masked"] for hub in result.hubs] == ["+1-XXX-XXX-XX99"]
    assert result.networks == [] and not any(ad["network_id"] for ad in result.ads)
    generation = json.loads((tmp_path / "current.json").read_text())["generation"]
    parents = pq.read_table(tmp_path / generation / "ads.parquet").column(
        "network_parent").to_pylist()
    assert parents[:2] == [0, 1]  # a and b are no longer one network
