"""Turning counts of participants into the words papers use: "one woman", "two women",
"some", "many", "most", "all".

A scale is a list of rules, tried in order; the first that fits ``n`` of ``N``
participants gives the words. A rule fits by an exact ``count``, by ``all`` (n = N), by
``below`` (n / N is under that share), or always (no condition; the last rule must be
one of these, so every count gets words). The default:

====================  =================
rule                  words
====================  =================
count = 0             no {plural}
all                   all {plural}
count = 1             one {singular}
count = 2             two {plural}
below = 0.5           some {plural}
below = 0.75          many {plural}
(otherwise)           most {plural}
====================  =================

so of 12 women: 3 to 5 are "some", 6 to 8 "many", 9 to 11 "most". Words may use
``{singular}``, ``{plural}``, ``{noun}`` (singular for one, else plural), ``{n}``,
``{total}`` and ``{number}`` (n spelled out: "three"). A scale file (TOML or YAML)::

    noun = "woman/women"

    [[scale]]
    count = 0
    words = "no {plural}"

    [[scale]]
    words = "{number} {noun}"

The noun and the scale are project settings (``participant_noun``, ``prevalence_scale``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematica.errors import InvalidInput

if TYPE_CHECKING:
    from thematica.project import Project

NOUN_SETTING = "participant_noun"
SCALE_SETTING = "prevalence_scale"
DEFAULT_NOUN = ("participant", "participants")
NUMBERS = (
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty",
)  # fmt: skip
_PLACEHOLDERS = {"singular", "plural", "noun", "n", "total", "number"}


@dataclass(frozen=True)
class Rule:
    words: str
    count: int | None = None
    all: bool = False
    below: float | None = None

    def fits(self, n: int, total: int) -> bool:
        if self.count is not None:
            return n == self.count
        if self.all:
            return total > 0 and n == total
        if self.below is not None:
            return total > 0 and n / total < self.below
        return True

    def describe(self) -> str:
        if self.count is not None:
            return f"count = {self.count}"
        if self.all:
            return "all"
        if self.below is not None:
            return f"below = {self.below:g}"
        return "(otherwise)"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.count is not None:
            out["count"] = self.count
        if self.all:
            out["all"] = True
        if self.below is not None:
            out["below"] = self.below
        out["words"] = self.words
        return out


DEFAULT_SCALE = (
    Rule("no {plural}", count=0),
    Rule("all {plural}", all=True),
    Rule("one {singular}", count=1),
    Rule("two {plural}", count=2),
    Rule("some {plural}", below=0.5),
    Rule("many {plural}", below=0.75),
    Rule("most {plural}"),
)


@dataclass(frozen=True)
class Wording:
    """A participant noun and a scale of rules."""

    singular: str = DEFAULT_NOUN[0]
    plural: str = DEFAULT_NOUN[1]
    scale: tuple[Rule, ...] = DEFAULT_SCALE

    @property
    def is_default_scale(self) -> bool:
        return self.scale == DEFAULT_SCALE

    def words(self, n: int, total: int) -> str:
        """The words for ``n`` of ``total`` participants: ``words(2, 12)`` -> "two women"."""
        if not 0 <= n <= total:
            raise InvalidInput(f"a count of {n} participants out of {total} is impossible")
        for rule in self.scale:
            if rule.fits(n, total):
                return rule.words.format(
                    singular=self.singular,
                    plural=self.plural,
                    noun=self.singular if n == 1 else self.plural,
                    n=n,
                    total=total,
                    number=NUMBERS[n] if n < len(NUMBERS) else str(n),
                )
        raise InvalidInput(f"no rule of the wording scale fits {n} of {total}")  # unreachable

    def as_dict(self) -> dict[str, Any]:
        return {
            "noun": f"{self.singular}/{self.plural}",
            "scale": [rule.as_dict() for rule in self.scale],
        }


def parse_noun(noun: str) -> tuple[str, str]:
    """``woman/women`` into its singular and plural; ``participant`` adds an ``s``."""
    singular, _, plural = (part.strip() for part in noun.partition("/"))
    if not singular or (_ and not plural):
        raise InvalidInput(f"participant noun {noun!r} should be singular/plural, e.g. woman/women")
    return singular, plural or singular + "s"


def parse_scale(rules: Any, where: str = "the scale") -> tuple[Rule, ...]:
    """Check a list of rule mappings (from a file or the stored setting)."""
    if not isinstance(rules, list) or not rules:
        raise InvalidInput(f"{where} must be a non-empty list of rules")
    parsed = []
    for number, item in enumerate(rules, start=1):
        here = f"{where}, rule {number}"
        if not isinstance(item, dict) or not isinstance(item.get("words"), str):
            raise InvalidInput(f"{here}: every rule needs its 'words'")
        unknown = sorted(set(item) - {"words", "count", "all", "below"})
        if unknown:
            raise InvalidInput(f"{here}: unknown key {unknown[0]!r}; use count, all or below")
        conditions = [k for k in ("count", "all", "below") if k in item]
        if len(conditions) > 1:
            raise InvalidInput(f"{here}: give one of count, all, below, not several")
        count, below = item.get("count"), item.get("below")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise InvalidInput(f"{here}: count must be a whole number")
        if count is not None and count < 0:
            raise InvalidInput(f"{here}: count must not be negative")
        if "all" in item and item["all"] is not True:
            raise InvalidInput(f"{here}: write all = true")
        if below is not None and (
            isinstance(below, bool) or not isinstance(below, int | float) or not 0 < below <= 1
        ):
            raise InvalidInput(f"{here}: below must be a share between 0 and 1, e.g. 0.5")
        words = item["words"].strip()
        try:
            words.format(**{p: "x" for p in _PLACEHOLDERS})
        except (KeyError, IndexError, ValueError) as error:
            raise InvalidInput(
                f"{here}: words {words!r} use an unknown placeholder {error}; use "
                + ", ".join("{" + p + "}" for p in sorted(_PLACEHOLDERS))
            ) from None
        parsed.append(
            Rule(
                words,
                count=count,
                all="all" in item,
                below=float(below) if below is not None else None,
            )
        )
    if parsed[-1].count is not None or parsed[-1].all or parsed[-1].below is not None:
        raise InvalidInput(
            f"{where}: the last rule must have no condition, so that every count gets words"
        )
    return tuple(parsed)


def read_scale_file(path: str | Path) -> tuple[str | None, tuple[Rule, ...]]:
    """A scale file (``.toml``, ``.yaml``): its optional ``noun`` and its ``scale`` rules."""
    from thematica.ingest.files import read_text

    path = Path(path)
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise InvalidInput(f"{path} is not valid TOML: {error}") from None
    elif suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            raise InvalidInput(f"{path} is not valid YAML") from None
    else:
        raise InvalidInput(f"cannot read {path.name}: use a .toml or .yaml scale file")
    if not isinstance(data, dict) or "scale" not in data:
        raise InvalidInput(f"{path} must hold a 'scale' list of rules")
    noun = data.get("noun")
    if noun is not None and not isinstance(noun, str):
        raise InvalidInput(f'{path}: noun must be text, e.g. "woman/women"')
    return noun, parse_scale(data["scale"], str(path))


def project_wording(project: Project) -> Wording:
    noun = project.setting(NOUN_SETTING)
    singular, plural = parse_noun(noun) if noun else DEFAULT_NOUN
    stored = project.setting(SCALE_SETTING)
    scale = parse_scale(json.loads(stored), "the stored scale") if stored else DEFAULT_SCALE
    return Wording(singular, plural, scale)


def set_wording(
    project: Project,
    noun: str | None = None,
    scale: str | Path | None = None,
    default: bool = False,
) -> Wording:
    from thematica.project import write_setting

    if scale is not None and default:
        raise InvalidInput("give a scale file or ask for the default scale, not both")
    file_noun, rules = read_scale_file(scale) if scale is not None else (None, None)
    noun = noun or file_noun
    if noun is None and rules is None and not default:
        raise InvalidInput("give a participant noun, a scale file, or --default")
    was = project_wording(project)
    singular, plural = parse_noun(noun) if noun else (was.singular, was.plural)
    new = Wording(singular, plural, DEFAULT_SCALE if default else rules or was.scale)
    with project.transaction("set prevalence wording") as tx:
        if noun:
            write_setting(tx, NOUN_SETTING, f"{singular}/{plural}")
        if rules is not None or default:
            write_setting(tx, SCALE_SETTING, json.dumps([r.as_dict() for r in new.scale]))
        tx.before, tx.after = was.as_dict(), new.as_dict()
    return new
