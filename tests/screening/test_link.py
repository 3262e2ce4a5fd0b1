import numpy as np

from harborlight.screening.fingerprint import token_hashes
from harborlight.screening.link import KeyIndex, Linker, UnionFind
from harborlight.screening.pipeline import Settings, sign_batch

BASE = ("our {0} studio offers relaxation sessions with herbal tea and soft music near "
        "the old river park, clean towels and quiet rooms, open {1} every week, ask for "
        "<name> <age> call <phone>")
DISCLAIMER = ("disclaimer by contacting me you agree that you are not law enforcement or "
              "working with any agency and that nothing in this ad is an offer of anything "
              "other than my time and company no law enforcement no games serious only")
WORDS = ("apple bread chair dance eagle fable grape house igloo jelly kite lemon mango noble "
         "ocean piano queen river stone tiger umbra vivid whale xenon yacht zebra amber birch "
         "cedar delta ember flint glade hazel iris jade karma lotus maple north olive pearl "
         "quartz raven sable thyme ultra velvet willow yarrow zinnia").split()
SETTINGS = Settings(key=b"k" * 32)


def phone(number: int) -> tuple[str, str, str]:
    return ("phone", f"hash-{number}", f"+1-XXX-XXX-XX{number % 100:02d}")


def own_text(index: int) -> str:
    """Eight words of its own for poster ``index`` (no two posters share a word pair)."""
    return " ".join(WORDS[(index * 7 + step * 3) % len(WORDS)] for step in range(8)) + \
        f" {WORDS[index % len(WORDS)]}x{index}"


def link(texts, identifiers=None, **params) -> Linker:
    identifiers = identifiers or [[] for _ in texts]
    flat, offsets = token_hashes(texts)
    linker = Linker(**params).partial_fit(identifiers, flat, offsets)
    linker.link_text(lambda pending, boilerplate: (
        sign_batch(f, o, boilerplate, SETTINGS) for f, o in pending))
    return linker.finalise(identifiers)


def test_it_links_template_variants_with_several_varying_slots():
    fills = [("calm", "mornings"), ("kind", "evenings"), ("warm", "weekends"),
             ("gentle", "late nights")]
    texts = [BASE.format(*fill) for fill in fills]
    texts.append("selling a blue bike and two chairs, pick up downtown, cash only please, "
                 "no holds, first come first served")
    roots = link(texts).networks_.roots()
    assert len(set(roots[:4])) == 1
    assert roots[4] == 4


def test_it_does_not_link_unrelated_posters_through_shared_stock_text():
    # eight posters with a line of their own and the same long disclaimer, two ads each
    texts, identifiers = [], []
    for poster in range(8):
        for _ad in range(2):
            texts.append(f"{own_text(poster)} {DISCLAIMER}")
            identifiers.append([phone(100 + poster)])
    linker = link(texts, identifiers, link_kinds=())
    roots = linker.texts_.roots()
    for poster in range(8):
        assert roots[2 * poster] == roots[2 * poster + 1]  # her own ads: linked by text
    assert len(set(roots)) == 8  # no two posters joined by the disclaimer
    assert len(linker.boilerplate_.boilerplate()) > 20


def test_it_treats_a_number_beside_many_unrelated_posters_as_a_hub():
    # eight posters (own phone, own text, two ads); one ad of each shows the site's line
    texts, identifiers = [], []
    site = phone(199)
    for poster in range(8):
        for ad in range(2):
            texts.append(own_text(poster) + " " + own_text(poster + 20))
            identifiers.append([phone(100 + poster)] + ([site] if ad == 0 else []))
    linker = link(texts, identifiers)
    assert set(linker.hubs_) == {"hash-199"}
    assert linker.hubs_["hash-199"] == (8, 8)
    assert len(set(linker.networks_.roots())) == 8


def test_it_keeps_a_number_an_operator_shows_beside_its_rotating_numbers():
    # one template, a main number shown with a different second number in each ad
    texts = [BASE.format("calm", "mornings")] * 6
    identifiers = [[phone(101), phone(110 + ad)] for ad in range(6)]
    linker = link(texts, identifiers)
    assert linker.hubs_ == {}
    assert len(set(linker.networks_.roots())) == 1


def test_it_judges_two_site_numbers_shown_together_as_hubs():
    texts, identifiers = [], []
    for poster in range(6):
        texts.append(own_text(poster) + " " + own_text(poster + 30))
        identifiers.append([phone(100 + poster), phone(198), phone(199)])
    linker = link(texts, identifiers)
    assert set(linker.hubs_) == {"hash-198", "hash-199"}
    assert len(set(linker.networks_.roots())) == 6


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


def test_it_keeps_a_handle_shown_beside_one_posters_rotating_numbers():
    # one poster, three numbers shown one or two at a time, a handle on some ads, and
    # texts too short to link: the handle joins her ads, it is no hub
    texts = [own_text(ad) for ad in range(7)]
    handle = ("handle", "hash-handle", "@li***")
    identifiers = [[phone(101), handle], [phone(102), handle], [phone(103), handle],
                   [phone(101), phone(103)], [phone(102), phone(101)], [phone(101)],
                   [phone(103), handle]]
    linker = link(texts, identifiers)
    assert linker.hubs_ == {}
    assert len(set(linker.networks_.roots())) == 1
