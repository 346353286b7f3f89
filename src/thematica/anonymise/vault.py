"""The encrypted key vault: the original values of anonymised identifiers, kept apart.

Anonymising a transcript replaces each identifier with a placeholder (``[Name A]``); the
words that were there go to a key file outside the project, encrypted with a passphrase,
so the project itself holds nothing that re-identifies a participant and the key can be
kept (or destroyed) as the ethics approval says.

>>> vault = KeyVault.create("study.key", "correct horse battery")
>>> _ = vault.add([KeyEntry("interview-01.txt", 13, 21, "Sarah Jones", "[Name A]", "NAME")])
>>> vault.save()
>>> vault = KeyVault.open("study.key", "correct horse battery")
>>> [e.original for e in vault.lookup("interview-01.txt")]
['Sarah Jones']
>>> vault.change_passphrase("a longer, better passphrase")

The file is a small JSON envelope::

    {"format": "thematica-key", "version": 1,
     "kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "<base64>"},
     "cipher": "AES-256-GCM", "nonce": "<base64>", "ciphertext": "<base64>"}

The key is derived from the passphrase with scrypt (a random salt per file) and the
entries are encrypted with AES-256-GCM under a fresh random nonce at every save. Every
field of the envelope except the nonce and the ciphertext (which GCM authenticates
itself) is bound to the ciphertext as associated data, so a change to any byte of the
file is detected; a wrong passphrase and a changed file cannot be told apart, and both
give the same message. Saving writes a temporary file next to the key, syncs it and
renames it over the key, so a crash leaves either the old key or the new one.

The cryptography is the ``cryptography`` package's (scrypt, AESGCM); only the envelope,
which no library defines for us, is written here.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from thematica.durable import sync_folder
from thematica.errors import InvalidInput

FORMAT = "thematica-key"
VERSION = 1
CIPHER = "AES-256-GCM"
MIN_PASSPHRASE = 8
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16
# Opening a file never asks scrypt for more than this much memory (128 * n * r bytes),
# so a doctored header cannot make us allocate gigabytes before the tag is checked.
MAX_SCRYPT_MEMORY = 2**30


class VaultError(InvalidInput):
    """A key file that cannot be created, opened or saved as asked."""


class WrongPassphrase(VaultError):
    """The passphrase does not open the key file, or the file was changed since it was saved."""


@dataclass(frozen=True)
class ScryptParams:
    """scrypt's cost parameters. The default (n=2**15, r=8, p=1; 32 MiB) is for real use.

    Tests pass a cheap setting to :meth:`KeyVault.create`:

    >>> KeyVault.create("t.key", "passphrase", kdf=ScryptParams(n=2**4))
    """

    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        for name in ("n", "r", "p"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise VaultError(f"scrypt parameter {name} must be a positive whole number")
        if self.n < 2 or self.n & (self.n - 1):
            raise VaultError(f"scrypt parameter n must be a power of two above 1, not {self.n}")
        if self.r > 32 or self.p > 16 or 128 * self.n * self.r > MAX_SCRYPT_MEMORY:
            raise VaultError(
                f"scrypt parameters n={self.n}, r={self.r}, p={self.p} are beyond what a key "
                f"file may ask for (at most 1 GiB of memory, r <= 32, p <= 16)"
            )


DEFAULT_KDF = ScryptParams()


@dataclass(frozen=True)
class KeyEntry:
    """One replaced identifier: ``placeholder`` stands at ``[start, end)`` of the
    anonymised text of ``source`` (code points) where ``original`` was.

    ``added_by`` and ``added_at`` (ISO 8601, UTC) are filled in by :meth:`KeyVault.add`
    when left empty. Offsets are those of the text when the entry was added.
    """

    source: str
    start: int
    end: int
    original: str
    placeholder: str
    label: str
    added_by: str = ""
    added_at: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("start", "end"):
                if type(value) is not int:
                    raise InvalidInput(f"key entry {f.name} must be a whole number, not {value!r}")
            elif not isinstance(value, str):
                raise InvalidInput(f"key entry {f.name} must be text, not {type(value).__name__}")
            else:
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise InvalidInput(
                        f"key entry {f.name} holds characters that cannot be stored (a lone "
                        f"surrogate)"
                    ) from None
        where = f"{self.source!r} [{self.start}, {self.end})"
        if not self.source:
            raise InvalidInput("key entry needs a source name")
        if not self.original or not self.placeholder:
            raise InvalidInput(f"key entry at {where} needs both an original and a placeholder")
        if self.start < 0 or self.end - self.start != len(self.placeholder):
            raise InvalidInput(
                f"key entry at {where} does not fit its placeholder {self.placeholder!r} "
                f"({len(self.placeholder)} characters)"
            )


class KeyVault:
    """An open key file: its entries in memory and the key that seals them.

    Get one with :meth:`create` or :meth:`open`; nothing reaches the disk until
    :meth:`save` (or :meth:`change_passphrase`, which saves at once).

    >>> vault = KeyVault.open("study.key", passphrase)
    >>> vault.add(entries)
    >>> vault.save()
    """

    def __init__(
        self,
        path: Path,
        key: bytes,
        kdf: ScryptParams,
        salt: bytes,
        entries: list[KeyEntry],
    ) -> None:
        """Use :meth:`create` or :meth:`open`; this does not check or touch the file."""
        self._path = path
        self._key = key
        self._kdf = kdf
        self._salt = salt
        self._entries = entries
        self._unsaved = False

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        passphrase: str,
        *,
        kdf: ScryptParams = DEFAULT_KDF,
    ) -> KeyVault:
        """Write a new, empty key file at ``path`` sealed with ``passphrase``.

        Refuses a path where a file already exists and a passphrase shorter than
        8 characters.

        >>> vault = KeyVault.create("study.key", "correct horse battery")
        """
        path = Path(path)
        _check_new_passphrase(passphrase)
        if path.exists() or path.is_symlink():
            raise VaultError(
                f"{path} already exists; open it with its passphrase, or choose another path"
            )
        if not path.parent.is_dir():
            raise VaultError(f"cannot create key file {path}: folder {path.parent} does not exist")
        salt = secrets.token_bytes(SALT_BYTES)
        vault = cls(path, _derive(passphrase, salt, kdf), kdf, salt, [])
        vault._write(exclusive=True)
        return vault

    @classmethod
    def open(cls, path: str | os.PathLike[str], passphrase: str) -> KeyVault:
        """Open the key file at ``path``.

        Raises :class:`WrongPassphrase` for a wrong passphrase or a changed file, and
        :class:`VaultError` for anything else that is not a key file this version reads.

        >>> vault = KeyVault.open("study.key", "correct horse battery")
        """
        path = Path(path)
        if not isinstance(passphrase, str) or not passphrase:
            raise VaultError(f"a passphrase is needed to open {path}")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise VaultError(f"no key file at {path}") from None
        except IsADirectoryError:
            raise VaultError(f"{path} is a folder, not a key file") from None
        except OSError as e:
            raise VaultError(f"cannot read key file {path}: {e.strerror or e}") from None
        envelope = _parse_envelope(path, raw)
        kdf, salt = envelope["kdf_params"], envelope["salt"]
        key = _derive(passphrase, salt, kdf)
        try:
            plain = AESGCM(key).decrypt(envelope["nonce"], envelope["ciphertext"], envelope["aad"])
        except InvalidTag:
            raise WrongPassphrase(f"wrong passphrase for {path}, or the file was changed") from None
        return cls(path, key, kdf, salt, _decode_entries(path, plain))

    # -- reading -------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """Where the key file is."""
        return self._path

    @property
    def kdf(self) -> ScryptParams:
        """The scrypt parameters the file's key is derived with."""
        return self._kdf

    @property
    def entries(self) -> tuple[KeyEntry, ...]:
        """Every entry, in the order they were added (a read-only snapshot)."""
        return tuple(self._entries)

    @property
    def unsaved(self) -> bool:
        """Whether entries were added since the last save."""
        return self._unsaved

    def lookup(self, source: str) -> tuple[KeyEntry, ...]:
        """The entries of ``source``, by position.

        >>> [(e.placeholder, e.original) for e in vault.lookup("interview-01.txt")]
        [('[Name A]', 'Sarah Jones')]
        """
        return tuple(
            sorted(
                (e for e in self._entries if e.source == source),
                key=lambda e: (e.start, e.end, e.added_at),
            )
        )

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:  # never shows the originals
        return f"<KeyVault {str(self._path)!r}: {len(self._entries)} entries>"

    # -- changing ------------------------------------------------------------------------

    def add(self, entries: Iterable[KeyEntry], *, by: str | None = None) -> tuple[KeyEntry, ...]:
        """Add ``entries`` (in memory; :meth:`save` writes them) and return them as stored.

        Empty ``added_by`` becomes ``by`` (default: ``THEMATICA_USER`` or the login name)
        and empty ``added_at`` the current time. Placeholders given in one call may not
        overlap within a source; nothing is added if any entry is refused.

        >>> vault.add([KeyEntry("interview-01.txt", 13, 21, "Sarah Jones", "[Name A]", "NAME")])
        """
        from thematica.project import default_actor, now

        batch = list(entries)
        for entry in batch:
            if not isinstance(entry, KeyEntry):
                raise InvalidInput(f"the key vault takes KeyEntry objects, not {entry!r:.60}")
        by_source: dict[str, list[KeyEntry]] = {}
        for entry in batch:
            by_source.setdefault(entry.source, []).append(entry)
        for source, group in by_source.items():
            group.sort(key=lambda e: (e.start, e.end))
            for before, after in zip(group, group[1:], strict=False):
                if after.start < before.end:
                    raise InvalidInput(
                        f"placeholders at {source!r} [{before.start}, {before.end}) and "
                        f"[{after.start}, {after.end}) overlap"
                    )
        actor, at = None, None
        stored = []
        for entry in batch:
            if not entry.added_by:
                actor = actor or by or default_actor()
                entry = replace(entry, added_by=actor)
            if not entry.added_at:
                at = at or now()
                entry = replace(entry, added_at=at)
            stored.append(entry)
        self._entries.extend(stored)
        if stored:
            self._unsaved = True
        return tuple(stored)

    def remove_sources(self, sources: Iterable[str]) -> int:
        """Forget every entry of ``sources`` (in memory; :meth:`save` writes the change)
        and return how many went: a withdrawn participant's identifiers leave the key.

        >>> vault.remove_sources(["interview-10.txt"])
        14
        """
        names = set(sources)
        kept = [e for e in self._entries if e.source not in names]
        removed = len(self._entries) - len(kept)
        if removed:
            self._entries = kept
            self._unsaved = True
        return removed

    def save(self) -> None:
        """Write the vault to its file, atomically and readable by its owner only (0o600).

        If anything fails the file on disk is left exactly as it was.
        """
        self._write(exclusive=False)
        self._unsaved = False

    def change_passphrase(self, new: str, *, kdf: ScryptParams | None = None) -> None:
        """Seal the vault with passphrase ``new`` (and a new salt) and save it at once.

        Unsaved entries are saved with it. If the save fails, the file and the vault keep
        the old passphrase.

        >>> vault.change_passphrase("a longer, better passphrase")
        """
        _check_new_passphrase(new)
        old = self._key, self._kdf, self._salt
        self._kdf = kdf or self._kdf
        self._salt = secrets.token_bytes(SALT_BYTES)
        self._key = _derive(new, self._salt, self._kdf)
        try:
            self.save()
        except BaseException:
            self._key, self._kdf, self._salt = old
            raise

    # -- writing -------------------------------------------------------------------------

    def _envelope(self) -> bytes:
        header = _header(self._kdf, self._salt)
        plain = json.dumps(
            {"entries": [asdict(e) for e in self._entries]},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        nonce = secrets.token_bytes(NONCE_BYTES)
        ciphertext = AESGCM(self._key).encrypt(nonce, plain, _aad(header))
        envelope = {**header, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}
        return (json.dumps(envelope, indent=2) + "\n").encode("ascii")

    def _write(self, *, exclusive: bool) -> None:
        # Everything that can fail before the rename happens on a temporary file in the
        # same folder; os.replace (or os.link, for a new file) is the one atomic step.
        data = self._envelope()
        path = self._path
        folder = path.parent
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
            try:
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, 0o600)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            if exclusive:
                _place_new(tmp, path)
            else:
                os.replace(tmp, path)
            tmp = None
            sync_folder(folder)
        except VaultError:
            raise
        except OSError as e:
            raise VaultError(f"cannot write key file {path}: {e.strerror or e}") from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


# -- helpers -----------------------------------------------------------------------------


def _normal(passphrase: str) -> bytes:
    # NFC, so the same passphrase typed on systems that compose accents differently
    # gives the same key.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _check_new_passphrase(passphrase: object) -> None:
    if not isinstance(passphrase, str) or not passphrase:
        raise VaultError("the passphrase is empty; choose one of at least 8 characters")
    length = len(unicodedata.normalize("NFC", passphrase))
    if length < MIN_PASSPHRASE:
        raise VaultError(
            f"the passphrase is too short ({length} characters); "
            f"choose one of at least {MIN_PASSPHRASE}"
        )
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        raise VaultError("the passphrase holds characters that cannot be encoded") from None


def _derive(passphrase: str, salt: bytes, kdf: ScryptParams) -> bytes:
    try:
        secret = _normal(passphrase)
    except UnicodeEncodeError:
        raise VaultError("the passphrase holds characters that cannot be encoded") from None
    return Scrypt(salt=salt, length=KEY_BYTES, n=kdf.n, r=kdf.r, p=kdf.p).derive(secret)


def _header(kdf: ScryptParams, salt: bytes) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "kdf": {"name": "scrypt", "n": kdf.n, "r": kdf.r, "p": kdf.p, "salt": _b64(salt)},
        "cipher": CIPHER,
    }


def _aad(header: dict[str, Any]) -> bytes:
    """Canonical bytes of every envelope field but the nonce and the ciphertext."""
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(path: Path, field: str, value: object) -> bytes:
    damaged = VaultError(f"{path} is damaged: its {field} is not valid base64")
    if not isinstance(value, str):
        raise damaged
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise damaged from None
    # Refuse non-canonical base64 (stray bits in the last character), so that every
    # change to the file's text is a change to what is decrypted.
    if _b64(data) != value:
        raise damaged
    return data


def _parse_envelope(path: Path, raw: bytes) -> dict[str, Any]:
    not_ours = f"{path} is not a Thematica key file"
    if not raw.strip():
        raise VaultError(f"{not_ours}: it is empty")
    try:
        envelope = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise VaultError(f"{not_ours}, or it was cut short: it is not valid JSON") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        shown = envelope.get("format") if isinstance(envelope, dict) else None
        what = f" (its format is {shown!r:.40})" if isinstance(shown, str) else ""
        raise VaultError(f"{not_ours}{what}")
    version = envelope.get("version")
    if type(version) is not int:
        raise VaultError(f"{path} is damaged: its version is not a number")
    if version > VERSION:
        raise VaultError(
            f"{path} is a version {version} key file, newer than this Thematica reads "
            f"(version {VERSION}); upgrade Thematica to open it"
        )
    if version < 1:
        raise VaultError(f"{path} is damaged: key file version {version} does not exist")
    expected = {"format", "version", "kdf", "cipher", "nonce", "ciphertext"}
    if set(envelope) != expected:
        odd = sorted(set(envelope) ^ expected)
        raise VaultError(f"{path} is damaged: fields {', '.join(odd)} missing or unexpected")
    if envelope["cipher"] != CIPHER:
        raise VaultError(f"{path} uses cipher {envelope['cipher']!r:.40}, not {CIPHER}")
    kdf = envelope["kdf"]
    if (
        not isinstance(kdf, dict)
        or kdf.get("name") != "scrypt"
        or set(kdf) != {"name", "n", "r", "p", "salt"}
    ):
        raise VaultError(f"{path} is damaged: its key derivation is not the scrypt this reads")
    try:
        params = ScryptParams(n=kdf["n"], r=kdf["r"], p=kdf["p"])
    except VaultError as e:
        raise VaultError(f"{path} is damaged: {e}") from None
    salt = _unb64(path, "salt", kdf["salt"])
    nonce = _unb64(path, "nonce", envelope["nonce"])
    ciphertext = _unb64(path, "ciphertext", envelope["ciphertext"])
    if len(salt) < SALT_BYTES:
        raise VaultError(f"{path} is damaged: its salt is too short")
    if len(nonce) != NONCE_BYTES:
        raise VaultError(f"{path} is damaged: its nonce is not {NONCE_BYTES} bytes")
    if len(ciphertext) < TAG_BYTES:
        raise VaultError(f"{path} is damaged: its ciphertext is cut short")
    header = {k: envelope[k] for k in ("format", "version", "kdf", "cipher")}
    return {
        "kdf_params": params,
        "salt": salt,
        "nonce": nonce,
        "ciphertext": ciphertext,
        "aad": _aad(header),
    }


def _decode_entries(path: Path, plain: bytes) -> list[KeyEntry]:
    # The tag was valid, so this was written by someone holding the passphrase; a
    # failure here is a bug or a hand-made file, reported as damage all the same.
    try:
        body = json.loads(plain.decode("utf-8"))
        rows = body["entries"]
        if not isinstance(rows, list):
            raise TypeError("entries is not a list")
        names = {f.name for f in fields(KeyEntry)}
        entries = []
        for row in rows:
            if not isinstance(row, dict) or set(row) != names:
                raise TypeError("an entry has the wrong fields")
            entries.append(KeyEntry(**row))
        return entries
    except (ValueError, KeyError, TypeError, InvalidInput) as e:
        raise VaultError(f"{path} is damaged: its entries cannot be read ({e})") from None


def _place_new(tmp: str, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if nothing is there (a hard link cannot overwrite)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise VaultError(
            f"{path} already exists; open it with its passphrase, or choose another path"
        ) from None
    except OSError:
        # A file system without hard links: the check in create() is all we have.
        if path.exists():
            raise VaultError(
                f"{path} already exists; open it with its passphrase, or choose another path"
            ) from None
        os.replace(tmp, path)
        return
    with contextlib.suppress(OSError):  # the key is in place; a stray temp file is harmless
        os.unlink(tmp)
