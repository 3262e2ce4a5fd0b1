"""Regenerate the field-encryption vectors from first principles.

Run: python tests/vectors/generate_crypto_vectors.py

Deliberately uses only ``cryptography``'s AESGCM and ``hmac``, not Harborlight's code,
so the vectors pin the token format as specified in harborlight.security.crypto rather
than whatever the implementation happens to do.
"""

import base64
import hashlib
import hmac
import json
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = Path(__file__).parent
K1 = bytes(range(32))
K2 = bytes(range(32, 64))
INDEX = bytes(range(64, 96))
B64 = lambda b: base64.b64encode(b).decode()  # noqa: E731


def token(key: bytes, kid: str, nonce: bytes, plaintext: bytes, aad: bytes) -> str:
    header = f"hl1:{kid}:"
    sealed = AESGCM(key).encrypt(nonce, plaintext, header.encode() + aad)
    return header + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()


def blind(purpose: str, value: str) -> str:
    subkey = hmac.new(INDEX, b"harborlight blind index v1\x00" + purpose.encode(),
                      hashlib.sha256).digest()
    digest = hmac.new(subkey, value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


KEYRING = {"keys": {"k1": B64(K1), "k2": B64(K2)}, "index_key": B64(INDEX)}

encrypt = []
for kid, key, nonce, plaintext, aad in [
    ("k1", K1, bytes(12), "María José García", "cases.person.first_name"),
    ("k1", K1, bytes(range(12)), "1990-04-17", "cases.person.birthdate"),
    ("k2", K2, b"\xff" * 12, "", "cases.note.body"),
    ("k2", K2, bytes(range(100, 112)), "Calle 5 #12-40, Bogotá\nApt 3", "cases.person.mailing_street"),
]:
    encrypt.append({"kid": kid, "nonce": nonce.hex(), "aad": aad, "plaintext": plaintext,
                    "token": token(key, kid, nonce, plaintext.encode(), aad.encode())})

good = token(K1, "k1", bytes(12), b"Ana Lucia", b"cases.person.first_name")
body = base64.urlsafe_b64decode(good.split(":")[2] + "==")
flipped_tag = body[:-1] + bytes([body[-1] ^ 1])
flipped_ct = body[:12] + bytes([body[12] ^ 0x80]) + body[13:]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
wrong_key = token(bytes(32), "k1", bytes(12), b"Ana Lucia", b"cases.person.first_name")
invalid = [
    {"desc": "valid token, wrong column (aad)", "token": good, "aad": "cases.person.second_name"},
    {"desc": "tampered tag", "token": "hl1:k1:" + b64(flipped_tag),
     "aad": "cases.person.first_name"},
    {"desc": "tampered ciphertext", "token": "hl1:k1:" + b64(flipped_ct),
     "aad": "cases.person.first_name"},
    {"desc": "encrypted under another key with the same id", "token": wrong_key,
     "aad": "cases.person.first_name"},
    {"desc": "relabelled with another key id", "token": good.replace("hl1:k1:", "hl1:k2:"),
     "aad": "cases.person.first_name"},
    {"desc": "unknown key id", "token": good.replace("hl1:k1:", "hl1:k9:"),
     "aad": "cases.person.first_name"},
    {"desc": "bad version", "token": good.replace("hl1:", "hl2:", 1),
     "aad": "cases.person.first_name"},
    {"desc": "no version", "token": good[4:], "aad": "cases.person.first_name"},
    {"desc": "truncated token", "token": good[:-6], "aad": "cases.person.first_name"},
    {"desc": "shorter than nonce and tag", "token": "hl1:k1:" + b64(body[:27]),
     "aad": "cases.person.first_name"},
    {"desc": "empty body", "token": "hl1:k1:", "aad": "cases.person.first_name"},
    {"desc": "not base64url", "token": good[:-2] + "+/", "aad": "cases.person.first_name"},
    {"desc": "extra field", "token": good + ":x", "aad": "cases.person.first_name"},
    {"desc": "plaintext in the column", "token": "Ana Lucia", "aad": "cases.person.first_name"},
    {"desc": "empty string", "token": "", "aad": "cases.person.first_name"},
]

blind_vectors = [
    {"purpose": purpose, "normalised": value, "index": blind(purpose, value)}
    for purpose, value in [
        ("cases.person.second_name", "garcia"),
        ("cases.person.email", "garcia"),  # same value, other purpose: unrelated index
        ("cases.person.email", "ana.garcia@example.org"),
        ("cases.person.mobile_phone", "+12025550143"),
        ("cases.person.birthdate", "1990-04-17"),
        ("cases.person.second_name", "núñez de la peña"),
    ]
]

for name, data in [("crypto_encrypt.json", encrypt), ("crypto_invalid.json", invalid),
                   ("crypto_blind_index.json", blind_vectors)]:
    (HERE / name).write_text(json.dumps({"keyring": KEYRING, "vectors": data}, indent=2,
                                        ensure_ascii=False) + "\n", encoding="utf-8")
