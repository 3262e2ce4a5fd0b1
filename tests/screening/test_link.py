import numpy as np

from harborlight.screening.fingerprint import Fingerprinter
from harborlight.screening.link import KeyIndex, Linker, UnionFind

BASE = ("our {0} studio offers relaxation sessions with herbal tea and soft music near "
        "the old river park, clean towels and quiet rooms, open {1} every week, ask for "
        "<name> <age> call <phone>")


def feed(linker, texts, identifiers=None):
    signatures, valid = Fingerprinter().signatures(texts)
    linker.partial_fit(identifiers or [[] for _ in texts], signatures, valid)
    return linker


def test_it_links_template_variants_with_several_varying_slots():
    fills = [("calm", "mornings"), ("kind", "evenings"), ("warm", "weekends"),
             ("gentle", "late nights")]
    texts = [BASE.format(*fill) for fill in fills]
    texts.append("selling a blue bike and two chairs, pick up downtown, cash only please, "
                 "no holds, first come first served")
    linker = feed(Linker(), texts).finalise()
    roots = linker.networks_.roots()
    assert len(set(roots[:4])) == 1
    assert roots[4] == 4


def test_it_links_shared_identifiers_but_not_hub_identifiers():
    texts = [f"unrelated listing number {word} with words {word} alpha beta gamma delta"
             for word in ["one", "two", "three", "four", "five", "six"]]
    hub = ("phone", "hub", "+1-XXX-XXX-XX00")
    shared = ("phone", "h1", "+1-XXX-XXX-XX43")
    identifiers = [[shared, hub], [shared, hub], [hub], [hub], [hub], []]
    linker = feed(Linker(hub_max_ads=3), texts, identifiers).finalise()
    roots = linker.networks_.roots()
    assert roots[0] == roots[1] == 0
    assert len({roots[2], roots[3], roots[4], roots[5]}) == 4
    assert linker.hubs_ == {"hub"}


def test_it_treats_identifiers_across_many_text_clusters_as_hubs():
    words = ("apple bread chair dance eagle fable grape house igloo jelly kite lemon mango "
             "noble ocean piano queen river stone tiger umbra vivid whale xenon yacht zebra "
             "amber birch cedar delta ember flint glade hazel iris jade karma lotus maple "
             "north olive").split()
    texts = [" ".join(words[i * 8:(i + 1) * 8]) for i in range(5)]
    hub = ("phone", "site", "+1-XXX-XXX-XX00")
    linker = feed(Linker(hub_max_clusters=3), texts, [[hub]] * 5).finalise()
    assert linker.hubs_ == {"site"}
    assert len(set(linker.networks_.roots())) == 5


def test_it_names_roots_by_the_earliest_ad():
    forest = UnionFind()
    forest.add(5)
    forest.union(4, 2)
    forest.union(3, 4)
    assert forest.roots() == [0, 1, 2, 2, 2]


def test_it_keeps_the_first_anchor_in_the_key_index():
    index = KeyIndex()
    for start in range(0, 40, 4):
        keys = np.arange(start, start + 4, dtype=np.uint64)
        index.add(keys, keys.astype(np.int64) + 100)
    assert len(index) == 40
    assert index.lookup(np.array([0, 39, 99], dtype=np.uint64)).tolist() == [100, 139, -1]
    assert len(index.runs_) <= 4
