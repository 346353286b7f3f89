import base64
import json
import os
import stat
import unicodedata

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from thematica.anonymise import vault as vault_module
from thematica.anonymise.vault import (
    KeyEntry,
    KeyVault,
    ScryptParams,
    VaultError,
    WrongPassphrase,
)
from thematica.errors import InvalidInput

FAST = ScryptParams(n=2**4, r=8, p=1)  # cheap for tests; the default is n=2**15
PASS = "correct horse battery"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def entry(
    source="a.txt", start=13, original="Sarah Jones", placeholder="[Name A]", label="NAME", **kw
):
    return KeyEntry(source, start, start + len(placeholder), original, placeholder, label, **kw)


@pytest.fixture
def key(tmp_path):
    return tmp_path / "study.key"


@pytest.fixture
def saved(key):
    """A key file holding two entries, and its exact bytes."""
    vault = KeyVault.create(key, PASS, kdf=FAST)
    vault.add(
        [
            entry(),
            entry(start=40, original="Rowan Ward", placeholder="[Hospital A]", label="HOSPITAL"),
        ]
    )
    vault.save()
    return key


def envelope(path):
    return json.loads(path.read_bytes())


def write(path, data):
    path.write_text(json.dumps(data, indent=2) + "\n")


def flip(b64, index=0):
    data = bytearray(base64.b64decode(b64))
    data[index] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


def assert_one_line(error):
    message = str(error.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert isinstance(error.value, InvalidInput)


# -- round trip ------------------------------------------------------------------------


def test_round_trip_keeps_every_entry_and_field(saved):
    vault = KeyVault.open(saved, PASS)
    assert len(vault) == 2
    first, second = vault.entries
    assert (
        first.source,
        first.start,
        first.end,
        first.original,
        first.placeholder,
        first.label,
    ) == (
        "a.txt",
        13,
        21,
        "Sarah Jones",
        "[Name A]",
        "NAME",
    )
    assert second.original == "Rowan Ward" and second.label == "HOSPITAL"
    assert first.added_by == "tester"  # THEMATICA_USER, set by the test setup
    assert first.added_at.endswith("+00:00") and first.added_at == second.added_at
    assert vault.kdf == FAST


def test_add_keeps_given_author_and_time_and_fills_the_rest(key):
    vault = KeyVault.create(key, PASS, kdf=FAST)
    stored = vault.add(
        [
            entry(added_by="Hannah", added_at="2024-05-01T10:00:00.000+00:00"),
            entry(source="b.txt"),
        ],
        by="Priya",
    )
    assert [(e.added_by, e.added_at == "2024-05-01T10:00:00.000+00:00") for e in stored] == [
        ("Hannah", True),
        ("Priya", False),
    ]
    assert vault.unsaved
    vault.save()
    assert not vault.unsaved
    assert KeyVault.open(key, PASS).entries == stored


def test_lookup_returns_one_sources_entries_by_position(key):
    vault = KeyVault.create(key, PASS, kdf=FAST)
    vault.add(
        [entry(source="b.txt", start=50), entry(source="a.txt"), entry(source="b.txt", start=2)]
    )
    vault.save()
    reopened = KeyVault.open(key, PASS)
    assert [e.start for e in reopened.lookup("b.txt")] == [2, 50]
    assert [e.source for e in reopened.lookup("a.txt")] == ["a.txt"]
    assert reopened.lookup("missing.txt") == ()


def test_entries_are_a_read_only_snapshot(saved):
    vault = KeyVault.open(saved, PASS)
    entries = vault.entries
    assert isinstance(entries, tuple)
    with pytest.raises(AttributeError):
        entries[0].original = "changed"
    vault.add([entry(source="c.txt")])
    assert len(entries) == 2 and len(vault.entries) == 3


def test_repr_never_shows_the_originals(saved):
    text = repr(KeyVault.open(saved, PASS))
    assert "Sarah" not in text and "2 entries" in text


def test_unicode_originals_round_trip_exactly(key):
    originals = [
        "Zoë Ångström",
        "José Núñez-Ibáñez",
        "Siobhán Ó Súilleabháin",
        "A\u0301ine",  # a combining accent, not composed: kept as given
        "👶🏽 Baby",
        "李小龍",
        "محمد",
        'quote " and back\\slash\nnew line',
    ]
    vault = KeyVault.create(key, PASS, kdf=FAST)
    vault.add(
        entry(source="ü.txt", start=10 * i, original=o, placeholder=f"[Name {i}é]")
        for i, o in enumerate(originals)
    )
    vault.save()
    reopened = KeyVault.open(key, PASS)
    assert [e.original for e in reopened.entries] == originals
    assert reopened.lookup("ü.txt")[1].placeholder == "[Name 1é]"
    assert key.read_bytes().isascii()  # nothing readable outside the ciphertext


def test_a_passphrase_opens_however_its_accents_are_composed(key):
    composed = "Crème brûlée au café"
    KeyVault.create(key, composed, kdf=FAST)
    KeyVault.open(key, unicodedata.normalize("NFD", composed))


def test_default_cost_is_the_strong_setting(key):
    assert ScryptParams() == ScryptParams(n=2**15, r=8, p=1)
    KeyVault.create(key, PASS)
    kdf = envelope(key)["kdf"]
    assert (kdf["name"], kdf["n"], kdf["r"], kdf["p"]) == ("scrypt", 2**15, 8, 1)
    assert len(base64.b64decode(kdf["salt"])) >= 16
    assert KeyVault.open(key, PASS).kdf == ScryptParams()


def test_envelope_is_versioned_json_with_a_fresh_nonce_per_save(saved):
    first = envelope(saved)
    assert set(first) == {"format", "version", "kdf", "cipher", "nonce", "ciphertext"}
    assert (first["format"], first["version"], first["cipher"]) == (
        "thematica-key",
        1,
        "AES-256-GCM",
    )
    assert len(base64.b64decode(first["nonce"])) == 12
    vault = KeyVault.open(saved, PASS)
    vault.save()
    second = envelope(saved)
    assert second["nonce"] != first["nonce"] and second["ciphertext"] != first["ciphertext"]
    assert second["kdf"] == first["kdf"]  # the salt belongs to the file
    other = saved.with_name("other.key")
    KeyVault.create(other, PASS, kdf=FAST)
    assert envelope(other)["kdf"]["salt"] != first["kdf"]["salt"]


def test_header_is_bound_to_the_ciphertext_as_associated_data(saved):
    data = envelope(saved)
    salt = base64.b64decode(data["kdf"]["salt"])
    key = vault_module._derive(PASS, salt, FAST)
    nonce, ciphertext = base64.b64decode(data["nonce"]), base64.b64decode(data["ciphertext"])
    header = {k: data[k] for k in ("format", "version", "kdf", "cipher")}
    AESGCM(key).decrypt(nonce, ciphertext, vault_module._aad(header))
    for changed in ({**header, "version": 2}, {**header, "cipher": "x"}, {**header, "format": "y"}):
        with pytest.raises(InvalidTag):
            AESGCM(key).decrypt(nonce, ciphertext, vault_module._aad(changed))
    with pytest.raises(InvalidTag):
        AESGCM(key).decrypt(nonce, ciphertext, None)


# -- refusals at create ----------------------------------------------------------------


def test_create_refuses_an_existing_file(saved):
    before = saved.read_bytes()
    with pytest.raises(VaultError, match="already exists") as error:
        KeyVault.create(saved, PASS, kdf=FAST)
    assert_one_line(error)
    assert saved.read_bytes() == before


def test_create_never_overwrites_a_file_that_appears_meanwhile(key, monkeypatch):
    real_link = os.link

    def racing_link(src, dst):
        key.write_text("someone else's file")
        return real_link(src, dst)

    monkeypatch.setattr(vault_module.os, "link", racing_link)
    with pytest.raises(VaultError, match="already exists"):
        KeyVault.create(key, PASS, kdf=FAST)
    assert key.read_text() == "someone else's file"
    assert sorted(p.name for p in key.parent.iterdir()) == ["study.key"]


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [
        ("", "passphrase is empty"),
        ("short", "too short \\(5 characters\\).*at least 8"),
        ("1234567", "too short"),
    ],
)
def test_create_refuses_an_empty_or_short_passphrase(key, passphrase, message):
    with pytest.raises(VaultError, match=message) as error:
        KeyVault.create(key, passphrase, kdf=FAST)
    assert_one_line(error)
    assert not key.exists()


def test_create_in_a_missing_folder_says_so(tmp_path):
    with pytest.raises(VaultError, match="does not exist") as error:
        KeyVault.create(tmp_path / "nowhere" / "study.key", PASS, kdf=FAST)
    assert_one_line(error)


@pytest.mark.parametrize(
    "params", [{"n": 3}, {"n": 1}, {"n": 0}, {"r": 0}, {"p": 0}, {"n": 2**30}, {"r": 64}]
)
def test_unusable_scrypt_parameters_are_refused(params):
    with pytest.raises(VaultError, match="scrypt parameter"):
        ScryptParams(**params)


# -- refusals at open ------------------------------------------------------------------


def test_wrong_passphrase(saved):
    with pytest.raises(WrongPassphrase) as error:
        KeyVault.open(saved, "not the passphrase")
    assert str(error.value) == f"wrong passphrase for {saved}, or the file was changed"
    assert_one_line(error)


def test_open_needs_a_passphrase(saved):
    with pytest.raises(VaultError, match="a passphrase is needed") as error:
        KeyVault.open(saved, "")
    assert_one_line(error)


def test_open_a_missing_file_or_a_folder(key, tmp_path):
    with pytest.raises(VaultError, match="no key file at") as error:
        KeyVault.open(key, PASS)
    assert_one_line(error)
    with pytest.raises(VaultError, match="is a folder"):
        KeyVault.open(tmp_path, PASS)


def _set_kdf(name, value):
    return lambda d: d["kdf"].__setitem__(name, value)


TAMPERING = {
    # what is changed -> (how, what the error says)
    "nonce": (lambda d: d.__setitem__("nonce", flip(d["nonce"])), "wrong passphrase"),
    "nonce last byte": (lambda d: d.__setitem__("nonce", flip(d["nonce"], -1)), "wrong passphrase"),
    "ciphertext first byte": (
        lambda d: d.__setitem__("ciphertext", flip(d["ciphertext"])),
        "wrong passphrase",
    ),
    "ciphertext middle byte": (
        lambda d: d.__setitem__(
            "ciphertext", flip(d["ciphertext"], len(base64.b64decode(d["ciphertext"])) // 2)
        ),
        "wrong passphrase",
    ),
    "ciphertext tag": (
        lambda d: d.__setitem__("ciphertext", flip(d["ciphertext"], -1)),
        "wrong passphrase",
    ),
    "salt": (lambda d: d["kdf"].__setitem__("salt", flip(d["kdf"]["salt"])), "wrong passphrase"),
    "salt last byte": (
        lambda d: d["kdf"].__setitem__("salt", flip(d["kdf"]["salt"], -1)),
        "wrong passphrase",
    ),
    "scrypt n": (_set_kdf("n", 2**5), "wrong passphrase"),
    "scrypt r": (_set_kdf("r", 9), "wrong passphrase"),
    "scrypt p": (_set_kdf("p", 2), "wrong passphrase"),
    "scrypt n not a power of two": (_set_kdf("n", 17), "damaged.*power of two"),
    "scrypt n huge": (_set_kdf("n", 2**40), "damaged.*beyond"),
    "scrypt n as text": (_set_kdf("n", "16"), "damaged.*whole number"),
    "kdf name": (_set_kdf("name", "pbkdf2"), "damaged.*scrypt"),
    "kdf extra field": (_set_kdf("extra", 1), "damaged.*scrypt"),
    "kdf missing salt": (lambda d: d["kdf"].pop("salt"), "damaged.*scrypt"),
    "cipher": (lambda d: d.__setitem__("cipher", "AES-128-GCM"), "cipher 'AES-128-GCM'"),
    "format": (lambda d: d.__setitem__("format", "thematica-kez"), "not a Thematica key file"),
    "version lowered": (lambda d: d.__setitem__("version", 0), "damaged.*version 0"),
    "version as text": (lambda d: d.__setitem__("version", "1"), "damaged.*version"),
    "version as boolean": (lambda d: d.__setitem__("version", True), "damaged.*version"),
    "extra field": (lambda d: d.__setitem__("note", "hi"), "damaged.*note"),
    "missing nonce": (lambda d: d.pop("nonce"), "damaged.*nonce"),
    "nonce cut short": (
        lambda d: d.__setitem__("nonce", base64.b64encode(b"x" * 8).decode()),
        "nonce is not 12",
    ),
    "nonce not base64": (lambda d: d.__setitem__("nonce", "@@@@"), "nonce is not valid base64"),
    "nonce not text": (lambda d: d.__setitem__("nonce", 12), "nonce is not valid base64"),
    "ciphertext cut short": (
        lambda d: d.__setitem__("ciphertext", d["ciphertext"][:16]),
        "cut short|wrong passphrase",
    ),
    "ciphertext emptied": (lambda d: d.__setitem__("ciphertext", ""), "ciphertext is cut short"),
    "salt cut short": (
        lambda d: d["kdf"].__setitem__("salt", base64.b64encode(b"x" * 4).decode()),
        "salt is too short",
    ),
    "swapped nonce from another save": (None, "wrong passphrase"),
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_every_kind_of_tampering_is_detected(saved, what):
    change, message = TAMPERING[what]
    data = envelope(saved)
    if change is None:  # a well-formed nonce, just not the one this ciphertext was sealed with
        vault = KeyVault.open(saved, PASS)
        vault.save()
        data["nonce"] = envelope(saved)["nonce"]
    else:
        change(data)
    write(saved, data)
    with pytest.raises(VaultError, match=message) as error:
        KeyVault.open(saved, PASS)
    assert_one_line(error)
    if message == "wrong passphrase":
        assert isinstance(error.value, WrongPassphrase)


@pytest.mark.parametrize("mask", [0x01, 0x20, 0x80])
def test_flipping_any_bit_pattern_at_any_byte_of_the_file_is_detected(saved, mask):
    raw = saved.read_bytes()
    opened = 0
    for i in range(len(raw)):
        damaged = bytearray(raw)
        damaged[i] ^= mask
        saved.write_bytes(bytes(damaged))
        try:
            KeyVault.open(saved, PASS)
            opened += 1
        except VaultError:
            pass
    assert opened == 0


def test_a_truncated_file_at_any_length_is_refused(saved):
    raw = saved.read_bytes()
    for length in range(len(raw.rstrip())):
        saved.write_bytes(raw[:length])
        with pytest.raises(VaultError) as error:
            KeyVault.open(saved, PASS)
        assert_one_line(error)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a Thematica key file: it is empty"),
        (b"  \n", "it is empty"),
        (b"hello, world", "not valid JSON"),
        (b"\x00\xff\xfe garbage \x89PNG", "not valid JSON"),
        (bytes(range(256)) * 4, "not valid JSON"),
        (b'{"format": "thematica-key", "version": 1, "kdf"', "not valid JSON"),
        (b"[1, 2, 3]", "not a Thematica key file$"),
        (b'"thematica-key"', "not a Thematica key file$"),
        (b"null", "not a Thematica key file$"),
    ],
)
def test_garbage_and_not_json_are_refused(key, content, message):
    key.write_bytes(content)
    with pytest.raises(VaultError, match=message) as error:
        KeyVault.open(key, PASS)
    assert_one_line(error)


@pytest.mark.parametrize(
    "data",
    [
        {"format": "refi-qda", "version": 1},
        {"name": "some other program's settings", "version": 3},
        {"version": 1, "kdf": {}, "nonce": "", "ciphertext": ""},
    ],
)
def test_a_file_of_another_format_is_refused(key, data):
    write(key, data)
    with pytest.raises(VaultError, match="is not a Thematica key file") as error:
        KeyVault.open(key, PASS)
    assert_one_line(error)
    if "format" in data:
        assert "'refi-qda'" in str(error.value)


def test_a_newer_version_is_refused_with_advice(saved):
    data = envelope(saved)
    data["version"] = 2
    data["kdf"] = {"name": "argon2id", "whatever": True}  # a newer file may look quite different
    write(saved, data)
    with pytest.raises(
        VaultError, match="version 2 key file, newer than this Thematica reads.*upgrade"
    ) as error:
        KeyVault.open(saved, PASS)
    assert_one_line(error)


# -- saving ------------------------------------------------------------------------------


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "study.key")


@pytest.mark.parametrize("where", ["replace", "fsync", "write", "encrypt"])
def test_a_failed_save_leaves_the_previous_key_exactly_as_it_was(saved, monkeypatch, where):
    before = saved.read_bytes()
    vault = KeyVault.open(saved, PASS)
    vault.add([entry(source="new.txt", original="Alfie")])

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if where == "write":
        real_write = os.write

        def half_write(fd, data):  # a partial write, then the disk is full
            if len(data) > 10:
                return real_write(fd, bytes(data[: len(data) // 2]))
            fail()

        monkeypatch.setattr(vault_module.os, "write", half_write)
    elif where == "encrypt":

        class Broken:
            def __init__(self, key):
                pass

            def encrypt(self, *args):
                raise RuntimeError("encryption failed")

        monkeypatch.setattr(vault_module, "AESGCM", Broken)
    else:
        monkeypatch.setattr(vault_module.os, where, fail)

    with pytest.raises((VaultError, RuntimeError)) as error:
        vault.save()
    if where != "encrypt":
        assert str(error.value) == f"cannot write key file {saved}: No space left on device"
    assert saved.read_bytes() == before
    assert leftovers(saved.parent) == []
    assert vault.unsaved
    monkeypatch.undo()
    assert len(KeyVault.open(saved, PASS)) == 2
    vault.save()  # the vault still works once the disk is back
    assert len(KeyVault.open(saved, PASS)) == 3


def test_an_interrupted_save_leaves_the_key_and_no_temporary_file(saved, monkeypatch):
    before = saved.read_bytes()
    vault = KeyVault.open(saved, PASS)
    vault.add([entry(source="new.txt")])

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(vault_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        vault.save()
    assert saved.read_bytes() == before
    assert leftovers(saved.parent) == []


def test_save_goes_through_a_temporary_file_in_the_same_folder(saved, monkeypatch):
    calls = []
    real_replace = os.replace

    def spy(src, dst):
        calls.append((os.path.dirname(src), os.fspath(dst)))
        assert os.path.exists(src)
        return real_replace(src, dst)

    monkeypatch.setattr(vault_module.os, "replace", spy)
    KeyVault.open(saved, PASS).save()
    assert calls == [(str(saved.parent), str(saved))]


@posix_only
def test_key_file_is_readable_by_its_owner_only(key):
    old = os.umask(0)
    try:
        vault = KeyVault.create(key, PASS, kdf=FAST)
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        key.chmod(0o644)
        vault.save()
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    finally:
        os.umask(old)


# -- passphrase change -------------------------------------------------------------------


def test_change_of_passphrase(saved):
    old_salt = envelope(saved)["kdf"]["salt"]
    vault = KeyVault.open(saved, PASS)
    vault.add([entry(source="new.txt")])
    vault.change_passphrase("a longer, better passphrase")
    assert not vault.unsaved
    assert envelope(saved)["kdf"]["salt"] != old_salt
    with pytest.raises(WrongPassphrase):
        KeyVault.open(saved, PASS)
    reopened = KeyVault.open(saved, "a longer, better passphrase")
    assert reopened.entries == vault.entries and len(reopened) == 3
    vault.add([entry(source="later.txt")])
    vault.save()  # later saves keep the new passphrase
    assert len(KeyVault.open(saved, "a longer, better passphrase")) == 4


def test_change_of_passphrase_can_raise_the_cost(saved):
    vault = KeyVault.open(saved, PASS)
    vault.change_passphrase("a longer, better passphrase", kdf=ScryptParams(n=2**5, r=4))
    assert envelope(saved)["kdf"]["n"] == 2**5
    assert KeyVault.open(saved, "a longer, better passphrase").kdf == ScryptParams(n=2**5, r=4)


def test_change_to_a_short_passphrase_is_refused(saved):
    before = saved.read_bytes()
    vault = KeyVault.open(saved, PASS)
    with pytest.raises(VaultError, match="too short") as error:
        vault.change_passphrase("short")
    assert_one_line(error)
    assert saved.read_bytes() == before


def test_a_failed_change_of_passphrase_keeps_the_old_one(saved, monkeypatch):
    before = saved.read_bytes()
    vault = KeyVault.open(saved, PASS)
    monkeypatch.setattr(
        vault_module.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(5, "I/O error"))
    )
    with pytest.raises(VaultError, match="cannot write key file"):
        vault.change_passphrase("a longer, better passphrase")
    monkeypatch.undo()
    assert saved.read_bytes() == before
    vault.save()
    KeyVault.open(saved, PASS)  # the vault in memory still holds the old key too


# -- what add refuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: KeyEntry("a.txt", 0, 3, "Sarah", "[Name A]", "NAME"),
            "does not fit its placeholder",
        ),
        (lambda: KeyEntry("a.txt", -8, 0, "Sarah", "[Name A]", "NAME"), "does not fit"),
        (lambda: KeyEntry("a.txt", 0, 0, "Sarah", "", "NAME"), "needs both"),
        (lambda: KeyEntry("a.txt", 0, 8, "", "[Name A]", "NAME"), "needs both"),
        (lambda: KeyEntry("", 0, 8, "Sarah", "[Name A]", "NAME"), "needs a source"),
        (lambda: KeyEntry("a.txt", "0", 8, "Sarah", "[Name A]", "NAME"), "whole number"),
        (lambda: KeyEntry("a.txt", 0, 8, None, "[Name A]", "NAME"), "must be text"),
        (lambda: KeyEntry("a.txt", 0, 8, "Sa\ud800rah", "[Name A]", "NAME"), "cannot be stored"),
    ],
)
def test_malformed_entries_are_refused(make, message):
    with pytest.raises(InvalidInput, match=message):
        make()


def test_add_refuses_overlapping_placeholders_and_adds_nothing(key):
    vault = KeyVault.create(key, PASS, kdf=FAST)
    with pytest.raises(InvalidInput, match=r"'a.txt' \[13, 21\) and \[15, 23\) overlap"):
        vault.add([entry(source="b.txt"), entry(start=13), entry(start=15)])
    with pytest.raises(InvalidInput, match="KeyEntry objects"):
        vault.add([entry(), ("a.txt", 0, 8)])
    assert vault.entries == () and not vault.unsaved


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@pytest.mark.parametrize("field", ["salt", "ciphertext"])
def test_base64_with_stray_bits_is_refused_though_it_decodes_the_same(saved, field):
    # Base64 of 16 bytes ends in "x==", whose last 4 bits are unused: a change there
    # decodes to the same bytes, so it must be refused outright to detect every change.
    data = envelope(saved)
    holder = data["kdf"] if field == "salt" else data
    text = holder[field]
    if field == "ciphertext":  # make the length leave unused bits, re-sealed by a real save
        vault = KeyVault.open(saved, PASS)
        while "=" not in text:
            vault.add([entry(source=f"pad{len(vault)}.txt")])
            vault.save()
            data = holder = envelope(saved)
            text = holder[field]
    body = text.rstrip("=")
    last = ALPHABET.index(body[-1])
    changed = body[:-1] + ALPHABET[last ^ 0x01] + text[len(body) :]
    assert base64.b64decode(changed) == base64.b64decode(text)
    holder[field] = changed
    write(saved, data)
    with pytest.raises(VaultError, match=f"its {field} is not valid base64"):
        KeyVault.open(saved, PASS)
