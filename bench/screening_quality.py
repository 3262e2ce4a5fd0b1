"""Quality of the screening engine on generated ads, the adversarial set and realistic posts.

Prints, for templates with 1, 2 and 4 varying slots, the adjusted Rand index and pairwise
precision / recall / F1 of the recovered operator clusters (noise ads count as singletons),
once with every link (identifiers and text), once with text links only (no phone, email
or handle), which shows how much the MinHash-LSH template linking carries on its own, and
once text-only on a harder variant (sentences swapped in 30% of ads, 3% of words with a
typo). Then
phone recall and precision on the adversarial set, overall and per obfuscation style.
Last, the realistic posts of issue 13 (``screening_posts.py``): per pattern phone figures,
handles, operators, the top 20 leads and places, for the styles seen while tuning and,
apart, for the held-out voices and phone styles.

    python bench/screening_quality.py --n 20000 --seed 1 --posts 6000
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

from screening_posts import pair_scores, posts, print_report

from harborlight.screening import screen
from harborlight.screening.normalise import normalise
from harborlight.screening.phones import find_phones
from harborlight.screening.synthetic import adversarial_contacts, generate_ads

KEY = b"benchmark-key-not-secret-0123456789"


def clusters(n: int, seed: int, slots: int, text_only: bool, hard: bool = False
             ) -> dict[str, float]:
    extra = {"shuffle": 0.3, "typo_rate": 0.03} if hard else {}
    ads = list(generate_ads(n, seed, slots=slots, **extra))
    params = {"link_kinds": ()} if text_only else None
    result = screen(ads, key=KEY, linker_params=params)
    network = {ad["id"]: ad["network_id"] for ad in result.ads}
    truth = [ad["operator_id"] or f"noise:{ad['id']}" for ad in ads]
    predicted = [network[ad["id"]] or f"single:{ad['id']}" for ad in ads]
    return pair_scores(truth, predicted)


def adversarial(n: int) -> tuple[float, float, dict[str, tuple[int, int, int]]]:
    per_style: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for item in adversarial_contacts(n):
        view = normalise(item["text"])
        found = {m.e164 for m in find_phones(view.text, "US", original=item["text"],
                                             origin=view.origin)}
        truth = set(item["phones"])
        counts = per_style[item["style"]]
        counts[0] += len(found & truth)
        counts[1] += len(found - truth)
        counts[2] += len(truth - found)
    tp = sum(c[0] for c in per_style.values())
    fp = sum(c[1] for c in per_style.values())
    fn = sum(c[2] for c in per_style.values())
    return tp / (tp + fn), tp / (tp + fp), {k: tuple(v) for k, v in per_style.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--adversarial", type=int, default=3000)
    parser.add_argument("--posts", type=int, default=6000, help="realistic posts (0: skip)")
    parser.add_argument("--posts-seed", type=int, default=5)
    args = parser.parse_args()
    print(f"generated ads: n={args.n} seed={args.seed}")
    print("| slots | links | ARI | pairwise precision | pairwise recall | pairwise F1 | secs |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for slots in (1, 2, 4):
        for text_only, hard in ((False, False), (True, False), (True, True)):
            started = time.perf_counter()
            scores = clusters(args.n, args.seed, slots, text_only, hard)
            links = ("text only" if text_only else "all") + (
                ", hard (30% sentence swaps, 3% typos)" if hard else "")
            print(f"| {slots} | {links} | {scores['ari']:.4f} | "
                  f"{scores['precision']:.4f} | {scores['recall']:.4f} | {scores['f1']:.4f} | "
                  f"{time.perf_counter() - started:.1f} |", flush=True)
    recall, precision, styles = adversarial(args.adversarial)
    print(f"\nadversarial set: {args.adversarial} strings; phone recall {recall:.4f}, "
          f"precision {precision:.4f}")
    for style, (tp, fp, fn) in sorted(styles.items()):
        print(f"  {style:14s} tp={tp:3d} fp={fp:2d} fn={fn:2d}")
    if args.posts:
        print(f"\nrealistic posts (issue 13), seed {args.posts_seed}")
        print_report("styles seen while tuning", posts(args.posts, args.posts_seed, False))
        print_report("held-out voices and phone styles",
                     posts(args.posts, args.posts_seed + 1, True))
        print_report("a daily batch (held-out styles)", posts(2000, args.posts_seed + 2, True))


if __name__ == "__main__":
    main()
