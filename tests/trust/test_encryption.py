"""Encryption at rest: an encrypted project file (SQLCipher) and its write-ahead log hold
no readable word, and open only with the passphrase; the anonymisation key is always
encrypted."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli import THEMATICA, fails, run
from tests.conftest import INTERVIEW
from thematica import InvalidInput, ProjectError, create_project, open_project

pytest.importorskip(
    "sqlcipher3", reason="needs the encrypt extra: pip install 'thematica[encrypt]'"
)

PASSPHRASE = "correct horse battery staple"


def on_disk(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def test_an_encrypted_project_keeps_no_readable_word(tmp_path):
    env = {"THEMATICA_PASSPHRASE": PASSPHRASE}
    (tmp_path / "one.txt").write_text(INTERVIEW)
    assert run("init", "study.thematica", "--encrypt", env=env).stdout == (
        "Created encrypted project study.thematica\n"
    )
    run("-p", "study.thematica", "sources", "add", "one.txt", env=env)
    run("-p", "study.thematica", "memo", "add", "Grace sounds like the key worker.", env=env)
    stored = on_disk(tmp_path / "study.thematica")
    assert not stored.startswith(b"SQLite format 3")
    for words in (
        "health visitor",
        "Grace",
        "key worker",
        "Interviewer",
        "one.txt",
        "CREATE TABLE",
    ):
        assert words.encode() not in stored, words
    assert (
        json.loads(run("-p", "study.thematica", "sources", "list", "--json", env=env).stdout)[0][
            "name"
        ]
        == "one.txt"
    )
    assert fails("-p", "study.thematica", "sources", "list") == (
        "study.thematica is encrypted: set THEMATICA_PASSPHRASE to its passphrase"
    )
    assert run(
        "-p", "study.thematica", "sources", "list", env={"THEMATICA_PASSPHRASE": "guess"},
        check=False,
    ).stderr == "Error: wrong passphrase for study.thematica, or it is not a Thematica project\n"  # fmt: skip


def test_init_asks_for_the_passphrase_twice(tmp_path):
    typed = subprocess.run(
        [THEMATICA, "init", "asked.thematica", "--encrypt"],
        input=f"{PASSPHRASE}\n{PASSPHRASE}\n",
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "THEMATICA_PASSPHRASE"},
    )
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout.endswith("Created encrypted project asked.thematica\n")
    with open_project(tmp_path / "asked.thematica", passphrase=PASSPHRASE) as project:
        assert project.setting("name") == "asked"


def test_a_short_passphrase_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="the passphrase is too short \\(5 characters\\)"):
        create_project(tmp_path / "short.thematica", passphrase="short")
    assert not (tmp_path / "short.thematica").exists()


def test_withdrawal_and_backup_work_on_an_encrypted_project(tmp_path):
    path = tmp_path / "study.thematica"
    with create_project(path, participant_label="Mother {id}", passphrase=PASSPHRASE) as project:
        project.cases.add("1")
        project.sources.add("one.txt", INTERVIEW, case="1")
        done = project.cases.withdraw("1")
        assert done.wiped and project.sources.list() == []
    with pytest.raises(ProjectError, match="wrong passphrase"):
        open_project(path, passphrase="not the passphrase at all")


def test_the_key_vault_is_always_encrypted(tmp_path):
    from thematica.anonymise.vault import KeyEntry, KeyVault, ScryptParams

    vault = KeyVault.create(tmp_path / "study.key", PASSPHRASE, kdf=ScryptParams(n=2**4))
    vault.add([KeyEntry("one.txt", 0, 8, "Sarah Jones", "[Name A]", "NAME")])
    vault.save()
    envelope = json.loads((tmp_path / "study.key").read_text())
    assert envelope["cipher"] == "AES-256-GCM" and envelope["kdf"]["name"] == "scrypt"
    assert b"Sarah" not in (tmp_path / "study.key").read_bytes()
    assert (tmp_path / "study.key").stat().st_mode & 0o077 == 0  # its owner's alone
