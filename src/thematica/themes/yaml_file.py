"""Reading a themes file (YAML), checked whole before anything is imported.

```yaml
themes:
  - name: "She just kept coming": trust earned by constancy
    definition: >-
      Trust in the therapist was rarely given; it was earned ...
    status: defined          # candidate | reviewed | defined (default candidate)
    contextual: false        # a theme that frames the others
    codes: [Warmth, Feeling mothered]
    subthemes:
      - name: Like a mum would
        codes: [Feeling mothered]
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thematica.errors import InvalidInput
from thematica.themes.tree import check_name, check_status, clean_text

KEYS = {"name", "definition", "status", "contextual", "codes", "subthemes"}


def read_themes(path: Path) -> list[dict[str, Any]]:
    """The themes of a YAML file as checked dicts (only the keys the file gives)."""
    import yaml

    from thematica.ingest.files import read_text

    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InvalidInput(f"cannot import {path.name}: use a .yaml themes file")
    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{path} is not valid YAML{where}") from None
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise InvalidInput(f"{path} must hold a 'themes' list")
    return _items(path, data["themes"], "the top")


def _items(path: Path, items: list, where: str) -> list[dict[str, Any]]:
    checked = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InvalidInput(f"{path}: every theme needs a 'name' (under {where})")
        name = check_name(item["name"])
        unknown = sorted(set(item) - KEYS)
        if unknown:
            raise InvalidInput(
                f"{path}: theme {name!r} has an unknown key {unknown[0]!r}; "
                f"use {', '.join(sorted(KEYS))}"
            )
        if name in seen:
            raise InvalidInput(f"{path}: theme {name!r} appears twice under {where}")
        seen.add(name)
        out: dict[str, Any] = {"name": name}
        if item.get("definition") is not None:
            out["definition"] = clean_text(str(item["definition"]))
        if item.get("status") is not None:
            try:
                out["status"] = check_status(str(item["status"]))
            except InvalidInput as error:
                raise InvalidInput(f"{path}: theme {name!r}: {error}") from None
        if item.get("contextual") is not None:
            if not isinstance(item["contextual"], bool):
                raise InvalidInput(f"{path}: 'contextual' of {name!r} must be true or false")
            out["contextual"] = item["contextual"]
        codes = item.get("codes") or []
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise InvalidInput(f"{path}: 'codes' of {name!r} must be a list of code names")
        out["codes"] = codes
        children = item.get("subthemes") or []
        if not isinstance(children, list):
            raise InvalidInput(f"{path}: 'subthemes' of {name!r} must be a list")
        out["subthemes"] = _items(path, children, repr(name))
        checked.append(out)
    return checked
