"""The demographics table ("Table 1") of a paper, built from the participants' attributes.

>>> table = demographics(project, read_spec("table1.toml"))
>>> table.as_dict()["variables"][0]["rows"][0]
{'category': '≤ 25', 'n': 4, 'percent': 36.36363636363637}
>>> print(table.to_markdown())

A spec lists the variables in order (see ``docs/report.md``); without one, every
attribute gets a row group chosen by its type. Counts and percentages are per category,
percentages of the participants with a value; those without one are counted as missing.
Numeric attributes get mean, SD (sample, n - 1), median and range.

Decisions, documented in ``docs/report.md``:

- a value that falls in no bin is an error naming the participant, the value and the
  variable, unless the variable names a row for such values (``other = "Other"``);
- in the table made without a spec, a free-text attribute is left out, with a note, when
  more than ten values differ or no two participants share a value; dates are left out
  too. A spec may list either.
"""

from __future__ import annotations

import difflib
import statistics
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematica.errors import InvalidInput

if TYPE_CHECKING:
    from thematica.ingest.cases import Attribute, Case
    from thematica.project import Project

DEFAULT_TITLE = "Table 1. Participant characteristics"
NUMERIC = ("integer", "number")
STATISTICS = ("mean", "sd", "median", "range")
# What the printed table shows of a numeric variable with no `summary` in the spec (and
# no bins: a binned variable shows only its bins unless `summary` asks for more).
DEFAULT_SUMMARY = ("mean", "sd", "range")
# Without a spec, free text with more distinct values than this is left out.
MAX_TEXT_CATEGORIES = 10

_SPEC_KEYS = ("title", "variable")
_VARIABLE_KEYS = ("column", "label", "bins", "summary", "order", "rename", "other")
_BIN_KEYS = ("label", "min", "max")


# -- the spec -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    """A range of numbers shown as one row; ``min`` and ``max`` are inclusive, either
    may be absent (no lower or no upper limit)."""

    label: str
    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True)
class VariableSpec:
    """One variable of the table: which attribute, its label, and how it is shown."""

    column: str
    label: str | None = None  # None: the column name, e.g. "Highest education"
    bins: tuple[Bin, ...] = ()
    summary: tuple[str, ...] | None = None  # None: DEFAULT_SUMMARY, or none with bins
    order: tuple[str, ...] = ()  # categories (as shown, after rename) that come first
    rename: Mapping[str, str] = field(default_factory=dict)  # value -> shown category
    other: str | None = None  # the row for values outside every bin


@dataclass(frozen=True)
class Spec:
    variables: tuple[VariableSpec, ...]
    title: str = DEFAULT_TITLE
    source: str = "spec"  # where the spec came from, for error messages


def read_spec(path: str | Path) -> Spec:
    """Read a TOML spec; every problem in it is one :class:`InvalidInput` line."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"spec file {str(path)!r} not found") from None
    except OSError as error:
        raise InvalidInput(f"cannot read spec {str(path)!r}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not valid TOML: it is not UTF-8 text") from None
    return spec_from_toml(text, source=str(path))


def spec_from_toml(text: str, source: str = "spec") -> Spec:
    """A :class:`Spec` from TOML text: a file's, or the one kept in the project."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{source} is not valid TOML: {error}") from None
    return parse_spec(data, source=source)


# -- the spec kept in the project -------------------------------------------------------

SPEC_SETTING = "table1_spec"
STORED_SPEC = "the project's Table 1 spec"


def stored_spec_text(project: Project) -> str:
    """The TOML of the spec kept in the project; ``""`` when there is none."""
    return project.setting(SPEC_SETTING) or ""


def stored_spec(project: Project) -> Spec | None:
    """The spec kept in the project (see :func:`store_spec`), or None: lay the table out
    by attribute type."""
    text = stored_spec_text(project)
    return spec_from_toml(text, STORED_SPEC) if text.strip() else None


def store_spec(project: Project, text: str | None) -> Spec | None:
    """Keep a Table 1 spec (TOML text, as in a ``table1.toml`` file) in the project, so
    that every face of it lays the table out alike; ``None`` or blank text goes back to
    the layout by attribute type. One audit event, undoable.

    >>> store_spec(project, Path("table1.toml").read_text(encoding="utf-8"))
    >>> demographics(project, stored_spec(project))

    A spec that is not valid, or does not fit the participants' attributes, is refused
    and nothing is kept.
    """
    from thematica.project import write_setting

    text = text if text and text.strip() else ""
    spec = spec_from_toml(text, STORED_SPEC) if text else None
    if spec is not None and project.cases.list():
        demographics(project, spec)  # refuse now what the table could not be built from
    was = stored_spec_text(project)
    target = f"{len(spec.variables)} variables" if spec else "the layout by attribute type"
    with project.transaction("set table1 spec", target) as tx:
        write_setting(tx, SPEC_SETTING, text)
        tx.before, tx.after = {"spec": was}, {"spec": text}
    return spec


def parse_spec(data: Mapping[str, Any], source: str = "spec") -> Spec:
    """A :class:`Spec` from the parsed TOML (or an equal dict)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{source}: a spec is a table with [[variable]] entries")
    for key in data:
        if key not in _SPEC_KEYS:
            raise _unknown_key(source, key, _SPEC_KEYS, "a spec")
    title = data.get("title", DEFAULT_TITLE)
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput(f"{source}: title must be a non-empty string")
    variables = data.get("variable")
    if not isinstance(variables, list) or not variables:
        raise InvalidInput(
            f'{source}: no variables; list them as [[variable]] tables, each with column = "..."'
        )
    parsed = tuple(
        _parse_variable(v, f"{source}, variable {i}") for i, v in enumerate(variables, 1)
    )
    return Spec(parsed, title.strip(), source)


def _parse_variable(item: Any, where: str) -> VariableSpec:
    if not isinstance(item, Mapping):
        raise InvalidInput(f'{where}: must be a table with a column, e.g. column = "age"')
    column = item.get("column")
    if not isinstance(column, str) or not column.strip():
        raise InvalidInput(f'{where}: needs a column, e.g. column = "age"')
    where = f"{where} ({column})"
    for key in item:
        if key not in _VARIABLE_KEYS:
            raise _unknown_key(where, key, _VARIABLE_KEYS, "a variable")
    label = _optional(item, "label", str, "a non-empty string", where)
    other = _optional(item, "other", str, "a non-empty string", where)
    bins = _parse_bins(item["bins"], where) if "bins" in item else ()
    summary = None
    if "summary" in item:
        summary = tuple(_strings(item["summary"], "summary", where))
        for name in summary:
            if name not in STATISTICS:
                raise InvalidInput(
                    f"{where}: unknown summary statistic {name!r}{_hint(name, STATISTICS)}; "
                    f"choose from {', '.join(STATISTICS)}"
                )
    order = tuple(_strings(item.get("order", []), "order", where))
    repeated = [c for c, k in Counter(order).items() if k > 1]
    if repeated:
        raise InvalidInput(f"{where}: order lists {repeated[0]!r} twice")
    rename = item.get("rename", {})
    if not isinstance(rename, Mapping) or not all(isinstance(v, str) for v in rename.values()):
        raise InvalidInput(f'{where}: rename must be a table of strings, e.g. {{none = "None"}}')
    if bins and order:
        raise InvalidInput(f"{where}: order is for categories; bins show in the order listed")
    if other is not None:
        if not bins:
            raise InvalidInput(
                f"{where}: other names the row for values outside every bin; give bins"
            )
        if other in {b.label for b in bins}:
            raise InvalidInput(f"{where}: other {other!r} is also the label of a bin")
    return VariableSpec(column, label, bins, summary, order, dict(rename), other)


def _parse_bins(value: Any, where: str) -> tuple[Bin, ...]:
    example = '[{label = "26-30", min = 26, max = 30}]'
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{where}: bins must be a list of tables, e.g. bins = {example}")
    bins = []
    for item in value:
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{where}: bins must be a list of tables, e.g. bins = {example}")
        for key in item:
            if key not in _BIN_KEYS:
                raise _unknown_key(f"{where}, a bin", key, _BIN_KEYS, "a bin")
        label = item.get("label")
        if not isinstance(label, str) or not label:
            raise InvalidInput(f"{where}: every bin needs a label, e.g. {example[1:-1]}")
        low, high = (item.get(k) for k in ("min", "max"))
        for key, limit in (("min", low), ("max", high)):
            if limit is not None and (
                isinstance(limit, bool) or not isinstance(limit, int | float)
            ):
                raise InvalidInput(f"{where}: bin {label!r} has a {key} that is not a number")
        if low is None and high is None:
            raise InvalidInput(f"{where}: bin {label!r} needs a min, a max or both")
        if low is not None and high is not None and low > high:
            raise InvalidInput(f"{where}: bin {label!r} has min {low} above max {high}")
        bins.append(Bin(label, low, high))
    labels = Counter(b.label for b in bins)
    for label, count in labels.items():
        if count > 1:
            raise InvalidInput(f"{where}: two bins are labelled {label!r}")
    for i, first in enumerate(bins):
        for second in bins[i + 1 :]:
            low = max(_low(first), _low(second))
            high = min(_high(first), _high(second))
            if low <= high:
                raise InvalidInput(
                    f"{where}: bins {first.label!r} and {second.label!r} overlap "
                    f"({_stretch(low, high)} falls in both; min and max are inclusive)"
                )
    return tuple(bins)


def _low(b: Bin) -> float:
    return float("-inf") if b.min is None else b.min


def _high(b: Bin) -> float:
    return float("inf") if b.max is None else b.max


def _stretch(low: float, high: float) -> str:
    if low == high:
        return format_number(low)
    if low == float("-inf"):
        return f"everything up to {format_number(high)}"
    if high == float("inf"):
        return f"everything from {format_number(low)}"
    return f"{format_number(low)} to {format_number(high)}"


def _optional(item: Mapping[str, Any], key: str, kind: type, noun: str, where: str) -> Any:
    value = item.get(key)
    if value is not None and (not isinstance(value, kind) or value == ""):
        raise InvalidInput(f"{where}: {key} must be {noun}")
    return value


def _strings(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f'{where}: {key} must be a list of strings, e.g. {key} = ["a", "b"]')
    return value


def _hint(name: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _unknown_key(where: str, key: str, keys: Sequence[str], what: str) -> InvalidInput:
    return InvalidInput(
        f"{where}: unknown key {key!r}{_hint(key, keys)}; {what} takes {', '.join(keys)}"
    )


# -- the table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One category: how many participants, and their percentage of those with a value
    (None when nobody has one)."""

    category: str
    n: int
    percent: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "n": self.n, "percent": self.percent}


@dataclass(frozen=True)
class Summary:
    """Statistics of a numeric variable over the participants with a value; SD is the
    sample SD (n - 1) and None with fewer than two values."""

    mean: float | None
    sd: float | None
    median: float | None
    min: float | None
    max: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "sd": self.sd,
            "median": self.median,
            "min": self.min,
            "max": self.max,
        }


@dataclass(frozen=True)
class Variable:
    label: str
    column: str
    type: str  # the attribute's type
    rows: tuple[Row, ...]
    present: int  # participants with a value: the percentages' denominator
    missing: int
    summary: Summary | None = None  # numeric variables only
    shown: tuple[str, ...] = ()  # the statistics the printed table shows

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "label": self.label,
            "rows": [r.as_dict() for r in self.rows],
            "missing": self.missing,
        }
        if self.summary is not None:
            data["summary"] = self.summary.as_dict()
        return data


@dataclass(frozen=True)
class Table1:
    n: int
    variables: tuple[Variable, ...]
    title: str = DEFAULT_TITLE
    left_out: tuple[str, ...] = ()  # notes on attributes the default table leaves out

    @property
    def heading(self) -> str:
        return f"{self.title} (N = {self.n})"

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "variables": [v.as_dict() for v in self.variables]}

    def to_markdown(self) -> str:
        from thematica.report import render_table

        return render_table.to_markdown(self)

    def to_csv(self) -> str:
        from thematica.report import render_table

        return render_table.to_csv(self)

    def to_html(self) -> str:
        from thematica.report import render_table

        return render_table.to_html(self)

    def to_docx(self, path: str | Path) -> Path:
        from thematica.report import render_table

        return render_table.to_docx(self, path)


def demographics(project: Project, spec: Spec | str | Path | None = None) -> Table1:
    """The demographics table of the project's participants, as ``spec`` (a
    :class:`Spec` or the path of a TOML file) lays it out; without one, as the spec kept
    in the project lays it out (:func:`store_spec`), else by attribute type."""
    if isinstance(spec, str | Path):
        spec = read_spec(spec)
    elif spec is None:
        spec = stored_spec(project)
    attributes = {a.name: a for a in project.cases.attributes()}
    cases = project.cases.list()
    if not cases:
        raise InvalidInput(
            "the project has no participants yet; import them with `thematica cases import`"
        )
    if spec is None:
        return _default_table(list(attributes.values()), cases)
    variables = []
    for number, var in enumerate(spec.variables, 1):
        where = f"{spec.source}, variable {number} ({var.column})"
        attr = attributes.get(var.column)
        if attr is None:
            known = ", ".join(attributes) or "(none)"
            raise InvalidInput(
                f"{where}: unknown column {var.column!r}{_hint(var.column, list(attributes))}; "
                f"the participants' attributes are: {known}"
            )
        _check_fits(var, attr, where)
        variables.append(_variable(var, attr, cases, where))
    return Table1(len(cases), tuple(variables), spec.title)


def _default_table(attributes: list[Attribute], cases: list[Case]) -> Table1:
    variables, left_out = [], []
    for attr in attributes:
        present = [
            c.attributes[attr.name] for c in cases if c.attributes.get(attr.name) is not None
        ]
        if not present:
            left_out.append(f"left out {attr.name!r}: no participant has a value")
            continue
        if attr.type == "date":
            left_out.append(f"left out {attr.name!r}: a date (a spec can list its values)")
            continue
        distinct = len(set(present))
        if attr.type == "text" and (
            distinct > MAX_TEXT_CATEGORIES or (distinct == len(present) and distinct > 1)
        ):
            left_out.append(
                f"left out {attr.name!r}: free text, {distinct} different values among "
                f"{len(present)} participants (a spec can list them)"
            )
            continue
        variables.append(_variable(VariableSpec(attr.name), attr, cases, attr.name))
    return Table1(len(cases), tuple(variables), DEFAULT_TITLE, tuple(left_out))


def _check_fits(var: VariableSpec, attr: Attribute, where: str) -> None:
    if attr.type in NUMERIC:
        if var.order:
            raise InvalidInput(
                f"{where}: order is for categories, and {attr.name!r} is a number; "
                "give bins to count it in categories"
            )
        if var.rename:
            raise InvalidInput(
                f"{where}: rename is for categories, and {attr.name!r} is a number; "
                "bins take their own labels"
            )
        return
    kind = f"{attr.type}, not numeric"
    if var.bins:
        raise InvalidInput(f"{where}: bins need a numeric column, and {attr.name!r} is {kind}")
    if var.summary:
        raise InvalidInput(
            f"{where}: summary statistics need a numeric column, and {attr.name!r} is {kind}"
        )


def _variable(var: VariableSpec, attr: Attribute, cases: list[Case], where: str) -> Variable:
    label = var.label or default_label(var.column)
    values = [(c.label, c.attributes.get(var.column)) for c in cases]
    present = [(who, v) for who, v in values if v is not None]
    missing = len(values) - len(present)
    if attr.type in NUMERIC:
        numbers = [v for _, v in present]
        shown = var.summary
        if shown is None:
            shown = () if var.bins else DEFAULT_SUMMARY
        counts: Counter[str] = Counter()
        for who, value in present if var.bins else ():
            fit = next((b.label for b in var.bins if b.holds(value)), var.other)
            if fit is None:
                raise InvalidInput(
                    f"{where}: {who} has {var.column} {format_number(value)}, which falls in "
                    'no bin; add a bin for it, or a row for such values with other = "Other"'
                )
            counts[fit] += 1
        names = [b.label for b in var.bins]
        if var.other is not None and counts[var.other]:
            names.append(var.other)
        rows = tuple(Row(c, counts[c], _percent(counts[c], len(present))) for c in names)
        return Variable(
            label, var.column, attr.type, rows, len(present), missing, _summarise(numbers), shown
        )
    counted = Counter(_shown(var, v) for _, v in present)
    if attr.type == "ordinal":
        known = [var.rename.get(level, level) for level in attr.levels or ()]
    elif attr.type == "boolean":
        known = [var.rename.get(v, v) for v in ("Yes", "No")]
    else:
        known = []
    listed = list(dict.fromkeys([*var.order, *known]))
    rest = sorted((c for c in counted if c not in listed), key=lambda c: (-counted[c], c))
    rows = tuple(Row(c, counted[c], _percent(counted[c], len(present))) for c in listed + rest)
    return Variable(label, var.column, attr.type, rows, len(present), missing)


def _shown(var: VariableSpec, value: Any) -> str:
    if isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return var.rename.get(text, text)


def _percent(n: int, present: int) -> float | None:
    return 100 * n / present if present else None


def _summarise(numbers: list[Any]) -> Summary:
    if not numbers:
        return Summary(None, None, None, None, None)
    return Summary(
        mean=statistics.fmean(numbers),
        sd=statistics.stdev(numbers) if len(numbers) > 1 else None,
        median=statistics.median(numbers),
        min=min(numbers),
        max=max(numbers),
    )


def default_label(column: str) -> str:
    """``highest_education`` -> ``Highest education``."""
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def format_number(value: float) -> str:
    """A value as written: ``25``, ``25.5``; whole floats without their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
