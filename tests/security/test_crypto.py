"""The keyring: token format vectors, invalid tokens, blind indexes, keyring files."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from harborlight.security.crypto import (DecryptionFailed, Keyring, KeyringError,
                                         blob_key_id_of, generate_keyring, key_id_of,
                                         load_keyring_file, parse_keyring, write_keyring)
from harborlight.security.fields import normalise

VECTORS = Path(__file__).parent.parent / "vectors"


def _load(name: str) -> tuple[Keyring, list[dict]]:
    data = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    ring = data.get("keyring")
    keyring = None
    if ring:
        keys = {kid: base64.b64decode(value) for kid, value in ring["keys"].items()}
        keyring = Keyring(keys, "k1", base64.b64decode(ring["index_key"]))
    return keyring, data["vectors"]


ENCRYPT_RING, ENCRYPT = _load("crypto_encrypt.json")
INVALID_RING, INVALID = _load("crypto_invalid.json")
BLIND_RING, BLIND = _load("crypto_blind_index.json")
_, NORMALISE = _load("normalise.json")


@pytest.mark.parametrize("vector", ENCRYPT, ids=lambda v: f"{v['kid']}-{v['aad']}")
def test_it_encrypts_vectors_with_an_explicit_nonce(vector):
    token = ENCRYPT_RING._encrypt_with_nonce(vector["plaintext"].encode(),
                                             vector["aad"].encode(),
                                             bytes.fromhex(vector["nonce"]), kid=vector["kid"])
    assert token == vector["token"]


@pytest.mark.parametrize("vector", ENCRYPT, ids=lambda v: f"{v['kid']}-{v['aad']}")
def test_it_decrypts_vectors_under_any_key_in_the_keyring(vector):
    assert ENCRYPT_RING.decrypt(vector["token"], vector["aad"].encode()) \
        == vector["plaintext"].encode()
    assert key_id_of(vector["token"]) == vector["kid"]


@pytest.mark.parametrize("vector", INVALID, ids=lambda v: v["desc"])
def test_it_rejects_invalid_tokens_with_one_exception(vector):
    with pytest.raises(DecryptionFailed) as caught:
        INVALID_RING.decrypt(vector["token"], vector["aad"].encode())
    # The message never says which check failed.
    assert str(caught.value) == "the value could not be decrypted"


@pytest.mark.parametrize("vector", BLIND, ids=lambda v: f"{v['purpose']}-{v['normalised']}")
def test_it_computes_blind_index_vectors(vector):
    assert BLIND_RING.blind_index(vector["purpose"], vector["normalised"]) == vector["index"]


def test_it_gives_unrelated_blind_indexes_per_purpose():
    first = BLIND_RING.blind_index("cases.person.second_name", "garcia")
    second = BLIND_RING.blind_index("cases.person.email", "garcia")
    assert first != second


def test_it_never_uses_an_encryption_key_as_the_index_key():
    key = os.urandom(32)
    with pytest.raises(KeyringError, match="index key must differ"):
        Keyring({"k1": key}, "k1", key)


@pytest.mark.parametrize("vector", NORMALISE, ids=lambda v: f"{v['normalizer']}-{v['input']}")
def test_it_normalises_before_indexing(vector):
    assert normalise(vector["normalizer"], vector["input"]) == vector["normalised"]


def test_it_round_trips_with_random_nonces():
    keyring = Keyring.from_dict(generate_keyring())
    first = keyring.encrypt(b"Ana", b"cases.person.first_name")
    second = keyring.encrypt(b"Ana", b"cases.person.first_name")
    assert first != second  # fresh nonce each time
    assert first.startswith("hl1:k1:")
    assert keyring.decrypt(first, b"cases.person.first_name") == b"Ana"
    assert keyring.decrypt(second, b"cases.person.first_name") == b"Ana"


def test_it_encrypts_with_the_primary_and_decrypts_with_any_key():
    old = Keyring.from_dict(generate_keyring())
    token = old.encrypt(b"secret", b"a.b.c")
    new = old.with_new_primary()
    assert new.primary_key_id == "k2"
    assert new.key_ids == ["k1", "k2"]
    assert new.decrypt(token, b"a.b.c") == b"secret"
    rotated = new.rotate(token, b"a.b.c")
    assert key_id_of(rotated) == "k2"
    assert new.decrypt(rotated, b"a.b.c") == b"secret"
    with pytest.raises(DecryptionFailed):
        old.decrypt(rotated, b"a.b.c")  # the old keyring never had k2
    assert new.rotate(rotated, b"a.b.c") == rotated


def test_it_refuses_to_rotate_a_tampered_token():
    keyring = Keyring.from_dict(generate_keyring()).with_new_primary()
    token = keyring.encrypt(b"secret", b"a.b.c")
    with pytest.raises(DecryptionFailed):
        keyring.rotate(token, b"a.b.x")


def test_it_drops_keys_but_never_the_primary():
    keyring = Keyring.from_dict(generate_keyring()).with_new_primary()
    assert keyring.without_keys(["k1"]).key_ids == ["k2"]
    with pytest.raises(KeyringError, match="primary"):
        keyring.without_keys(["k2"])


def test_it_encrypts_blobs_bound_to_their_name():
    keyring = Keyring.from_dict(generate_keyring())
    blob = keyring.encrypt_blob(b"%PDF-1.7 passport scan", b"file:a/passport.pdf")
    assert blob_key_id_of(blob) == "k1"
    assert b"passport scan" not in blob
    assert keyring.decrypt_blob(blob, b"file:a/passport.pdf") == b"%PDF-1.7 passport scan"
    for bad_blob, aad in [(blob, b"file:b/passport.pdf"), (blob[:-1], b"file:a/passport.pdf"),
                          (b"%PDF-1.7 plain", b"file:a/passport.pdf"),
                          (blob.replace(b"hlf1:k1:", b"hlf1:k7:"), b"file:a/passport.pdf")]:
        with pytest.raises(DecryptionFailed):
            keyring.decrypt_blob(bad_blob, aad)


def test_it_masks_secrets_in_repr():
    data = generate_keyring()
    keyring = Keyring.from_dict(data)
    text = repr(keyring)
    assert "k1" in text
    assert data["keys"]["k1"] not in text and data["index_key"] not in text
    raw = base64.b64decode(data["keys"]["k1"])
    assert repr(raw) not in text and raw.hex() not in text


def test_it_writes_keyring_files_with_mode_0600_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "keys.json"
    write_keyring(target, generate_keyring())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    before = target.read_bytes()
    with pytest.raises(KeyringError, match="refusing to overwrite"):
        write_keyring(target, generate_keyring())
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]  # no temporary left
    keyring = load_keyring_file(target)
    assert keyring.primary_key_id == "k1"


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not valid JSON"),
    ('{"format": "something-else"}', "is not a Harborlight keyring"),
    ('{"format": "harborlight-keyring", "version": 7}', "keyring version 7"),
    ('{"format": "harborlight-keyring", "version": 1, "primary": "k1", "keys": {}}',
     "holds no encryption keys"),
    ('{"format": "harborlight-keyring", "version": 1, "primary": "k1", '
     '"keys": {"k1": "c2hvcnQ="}, "index_key": "c2hvcnQ="}', "key k1 in .* is 5 bytes long"),
    ('{"format": "harborlight-keyring", "version": 1, "primary": "k1", '
     '"keys": {"k1": "%%%"}, "index_key": "c2hvcnQ="}', "not valid base64"),
])
def test_it_names_what_is_wrong_with_a_malformed_keyring(tmp_path, content, message):
    target = tmp_path / "keys.json"
    target.write_text(content)
    with pytest.raises(KeyringError, match=message):
        load_keyring_file(target)


def test_it_rejects_a_keyring_whose_primary_is_missing():
    data = generate_keyring()
    data["primary"] = "k5"
    with pytest.raises(KeyringError, match="primary key 'k5'"):
        parse_keyring(json.dumps(data))


def test_it_says_how_to_fix_a_missing_keyring(tmp_path):
    with pytest.raises(KeyringError, match="harborlight keys generate --out"):
        load_keyring_file(tmp_path / "nowhere.json")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_it_reports_an_unreadable_keyring(tmp_path):
    target = write_keyring(tmp_path / "keys.json", generate_keyring())
    target.chmod(0)
    with pytest.raises(KeyringError, match="cannot read encryption keyring"):
        load_keyring_file(target)


@pytest.fixture
def followed_keyring(settings, tmp_path):
    """The process keyring loaded from a private file, as a server loads it."""
    from harborlight.security.crypto import set_keyring

    path = write_keyring(tmp_path / "keys.json", generate_keyring())
    settings.KEYS_FILE = str(path)
    set_keyring(None)
    yield path
    set_keyring(None)


def test_it_follows_the_keyring_file_when_another_process_rotates(followed_keyring):
    from harborlight.security.crypto import get_keyring

    before = get_keyring()
    assert key_id_of(before.encrypt(b"x", b"t")) == "k1"
    write_keyring(followed_keyring, before.with_new_primary(), overwrite=True)

    after = get_keyring()
    assert after.primary_key_id == "k2"
    assert key_id_of(after.encrypt(b"x", b"t")) == "k2"
    assert after.decrypt(before.encrypt(b"old", b"t"), b"t") == b"old"


def test_it_keeps_the_keys_it_holds_when_the_changed_file_is_damaged(followed_keyring,
                                                                      caplog):
    from harborlight.security.crypto import get_keyring

    before = get_keyring()
    followed_keyring.write_text("{damaged")
    assert get_keyring() is before
    assert "cannot be loaded" in caplog.text
    assert get_keyring() is before  # logged once, not on every call
    assert caplog.text.count("cannot be loaded") == 1


def test_it_merges_the_keys_a_backup_holds_and_keeps_the_primary():
    backup = Keyring.from_dict(generate_keyring())
    current = backup.with_new_primary().without_keys(["k1"])
    merged, added = current.merged_with(backup)
    assert added == ["k1"] and merged.primary_key_id == "k2"
    assert merged.key_ids == ["k1", "k2"]
    assert merged.decrypt(backup.encrypt(b"late", b"t"), b"t") == b"late"
    assert current.merged_with(merged)[1] == ["k1"]
    assert merged.merged_with(backup)[1] == []


def test_it_refuses_to_merge_a_keyring_of_another_installation():
    ours = Keyring.from_dict(generate_keyring())
    theirs = Keyring.from_dict(generate_keyring())
    with pytest.raises(KeyringError, match="different index key"):
        ours.merged_with(theirs)
    clash = Keyring({"k1": os.urandom(32)}, "k1", ours._index_key)
    with pytest.raises(KeyringError, match="both keyrings hold a key k1"):
        ours.merged_with(clash)
