"""The real models: MiniLM from its package, offline and checked; the static model built
from it, loaded without torch; the missing extra as one line."""

import json
import os
import subprocess
import sys

import pytest

from tests.cli import run
from thematica.assist.embedders import check_folder, load_model, weights_hash
from thematica.assist.registry import ModelSpec, find_model
from thematica.errors import InvalidInput

SENTENCES = [
    "She made me a cup of tea and asked how I was sleeping.",
    "The therapist brought me tea and wanted to know if I had slept.",
    "The bus to the hospital was late again because of the roadworks.",
]


def test_minilm_runs_offline_from_its_package(minilm):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert (minilm.name, minilm.dim, minilm.loader) == ("minilm", 384, "sentence-transformers")
    assert minilm.hash == find_model("minilm").sha256
    rows = minilm.encode(SENTENCES)
    assert rows.shape == (3, 384) and str(rows.dtype) == "float32"
    assert abs(float((rows**2).sum(axis=1).max()) - 1) < 1e-5
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.3


def test_the_static_model_is_built_from_minilm_and_needs_no_torch(static, models_dir):
    folder = models_dir / "minilm-static"
    assert (static.name, static.dim, static.loader) == ("minilm-static", 256, "model2vec")
    assert static.hash == weights_hash(folder)
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "model2vec"
    rows = static.encode(SENTENCES)
    assert rows.shape == (3, 256)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]
    script = (
        "import sys\n"
        "from thematica.assist.embedders import load_model\n"
        "from thematica.assist.registry import find_model\n"
        "model = load_model(find_model('minilm-static'))\n"
        "model.encode(['She made me tea.'])\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers')"
        " if m in sys.modules))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout == "[]\n"


def test_a_model_folder_by_path(static, models_dir):
    by_path = load_model(find_model(str(models_dir / "minilm-static")))
    assert by_path.hash == static.hash
    assert (by_path.encode(["tea"]) == static.encode(["tea"])).all()


def test_weights_that_are_not_the_pinned_ones(models_dir):
    pinned = ModelSpec(
        name="minilm-static", loader="model2vec", folder=models_dir / "minilm-static",
        sha256="0" * 64,
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="has SHA-256 .* not the 000000000000... the registry"):
        check_folder(pinned)


def test_a_static_model_not_built_yet(tmp_path, monkeypatch):
    monkeypatch.setenv("THEMATICA_MODELS_DIR", str(tmp_path))
    with pytest.raises(InvalidInput, match="model 'minilm-static' is not built yet: run "):
        check_folder(find_model("minilm-static"))


def test_a_missing_extra_is_one_line_naming_it(sqlite_project, monkeypatch):
    from thematica.assist.extra import require

    monkeypatch.setitem(sys.modules, "model2vec", None)
    with pytest.raises(InvalidInput) as raised:
        require("model2vec")
    assert str(raised.value) == (
        "assisted coding needs the assist extra (model2vec is missing): "
        "pip install 'thematica[assist]'"
    )


def test_a_missing_extra_from_the_command_line(tmp_path):
    """`thematica` where torch cannot be imported: one line on stderr, status 2."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "torch.py").write_text("raise ImportError('hidden', name='torch')\n")
    project = str(tmp_path / "s.thematica")
    run("init", project)
    result = run("-p", project, "assist", "clusters", check=False, env={"PYTHONPATH": str(hide)})
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: assisted coding needs the assist extra (torch is missing): "
        "pip install 'thematica[assist]'\n"
    )
