"""Regenerate the audit chain vectors from first principles.

Run: python tests/vectors/generate_audit_vectors.py

The canonical serialisations below are written out by hand, as specified in
harborlight.security.audit.chain (sorted keys, no spaces, UTF-8, non-ASCII kept, format
tag), and hashed with hashlib only, so the vectors pin the format rather than whatever
the implementation happens to do. Each entry links to the previous one's hash.
"""

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).parent
GENESIS = "0" * 64

# {prev} is replaced by the previous entry's hash.
CANONICAL = [
    '{"action":"keys_rotate","actor_id":null,"actor_role":"","actor_username":"",'
    '"created_at":"2026-01-02T03:04:05.000006Z","details":{},"format":"harborlight.audit/1",'
    '"object_id":"","object_label":"","object_type":"","organisation_id":null,'
    '"prev_hash":"{prev}","reason":"","seq":1,"version":1}',

    '{"action":"break_glass","actor_id":12,"actor_role":"supervisor",'
    '"actor_username":"jos\u00e9","created_at":"2026-01-02T03:04:06.500000Z",'
    '"details":{"grant":7,"nested":{"a":[1,"two",false,null]},"z":"\u00fc"},'
    '"format":"harborlight.audit/1","object_id":"42","object_label":"CASE-2026-0042",'
    '"object_type":"cases.case","organisation_id":3,"prev_hash":"{prev}",'
    '"reason":"Client said \\"urgent\\"\\nline 2 \\\\ done \u2713","seq":2,"version":1}',

    '{"action":"login_failed","actor_id":null,"actor_role":"","actor_username":"",'
    '"created_at":"2026-01-02T03:04:07.000000Z",'
    '"details":{"attempted_username_digest":"0123456789abcdef","username_known":false},'
    '"format":"harborlight.audit/1","object_id":"","object_label":"","object_type":"",'
    '"organisation_id":null,"prev_hash":"{prev}","reason":"","seq":3,"version":1}',
]


def main() -> None:
    valid = []
    prev = GENESIS
    for template in CANONICAL:
        canonical = template.replace("{prev}", prev)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        fields = json.loads(canonical)
        del fields["format"]
        valid.append({"fields": fields, "canonical": canonical, "hash": digest})
        prev = digest
    base = dict(valid[0]["fields"])
    invalid = [
        {"why": "unknown format version", "fields": {**base, "version": 2},
         "error": "unknown audit entry format version"},
        {"why": "timestamp without a time zone",
         "fields": {**base, "created_at": "2026-01-02T03:04:05.000006"},
         "error": "timezone-aware"},
    ]
    out = HERE / "audit_chain.json"
    out.write_text(json.dumps({"valid": valid, "invalid": invalid}, indent=2,
                              ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(valid)} valid and {len(invalid)} invalid vectors to {out}")


if __name__ == "__main__":
    main()
