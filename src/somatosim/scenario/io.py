"""Load and save scenarios: YAML, JSON, a dict or a :class:`Scenario` (DESIGN.md §3).

Every problem with the input becomes an :class:`~somatosim.errors.InputError` whose message
has one line per problem, naming the field, the value and what is allowed, for example::

    scenario.yaml: subject.age_years = 150 is out of range (allowed 18-90 years)
    scenario.yaml: unknown field `subject.agee` (allowed: age_years, sex, weight_kg, ...)

YAML is read with a safe loader that keeps clock times such as ``23:00`` as text (plain
YAML 1.1 would read them as the base-60 number 1380).
"""

from __future__ import annotations

import json
import os
import re
import types
import typing
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from somatosim.errors import InputError
from somatosim.scenario.schema import Diet, Micronutrients, Phase, Scenario, Sleep

__all__ = [
    "dump_scenario",
    "format_validation_error",
    "load_scenario",
    "parse_scenario_text",
    "scenario_to_yaml",
]

_MAX_BYTES = 5_000_000


# --- YAML without base-60 numbers -------------------------------------------------------------
class _ScenarioLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose numbers are YAML 1.2-like: ``23:00`` stays the text "23:00"."""


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScenarioLoader.add_implicit_resolver(
    _INT_TAG,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*)$"),
    list("-+0123456789"),
)
_ScenarioLoader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _int_no_octal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lstrip("+-").startswith(("0b", "0x")):
        return int(text, 0)
    return int(text, 10)  # "07" is 7, not octal


_ScenarioLoader.add_constructor(_INT_TAG, _int_no_octal)


# --- loading ----------------------------------------------------------------------------------
def load_scenario(source: Scenario | Mapping[str, Any] | str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : Scenario, dict, str or path
        A :class:`Scenario` (returned as is), a mapping of scenario fields, a path to a
        ``.yaml`` / ``.yml`` / ``.json`` file, or YAML / JSON text (a string that contains a
        line break or starts with ``{``). Preset names are not accepted here; use
        :func:`somatosim.scenario.get_preset`.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    InputError
        If the file is missing or unreadable, the text is not valid YAML / JSON, or a field
        is unknown, of the wrong type or out of range. The message has one line per problem.

    Examples
    --------
    >>> load_scenario({"days": 3, "subject": {"age_years": 70}}).subject.age_years
    70.0
    >>> load_scenario("days: 2\\nsleep: {bedtime: 23:30}").sleep.bedtime
    '23:30'
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        return _validate(source, "scenario")
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{")):
        return _validate(parse_scenario_text(source, "<text>"), "<text>")
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return _validate(_read_file(path), str(source))
    raise InputError(
        f"cannot load a scenario from a {type(source).__name__}; give a Scenario, a dict, "
        "or the path of a YAML or JSON file"
    )


def _read_file(path: Path) -> Any:
    name = str(path)
    if not path.exists():
        raise InputError(f"scenario file {name!r} not found")
    if path.is_dir():
        raise InputError(f"{name!r} is a directory; give the path of a YAML or JSON scenario file")
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise InputError(f"{name}: file is larger than {_MAX_BYTES // 1_000_000} MB")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a text file (expected UTF-8 YAML or JSON)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    return parse_scenario_text(text, name, json_only=path.suffix.lower() == ".json")


def parse_scenario_text(text: str, source_name: str, *, json_only: bool = False) -> Any:
    """Parse YAML (or, with ``json_only``, strict JSON) text into Python data.

    Parameters
    ----------
    text : str
        The document.
    source_name : str
        Name used in error messages (usually the file name).
    json_only : bool
        Parse as JSON rather than YAML.

    Returns
    -------
    Any
        The parsed document (a dict for a well-formed scenario).

    Raises
    ------
    InputError
        With the line and column of a syntax error.
    """
    if not text.strip():
        raise InputError(f"{source_name}: the scenario is empty")
    if json_only:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{source_name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    try:
        return yaml.load(text, Loader=_ScenarioLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = exc.problem or "syntax error"
        raise InputError(f"{source_name}: not valid YAML ({where}{problem})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source_name}: not valid YAML ({_one_line(str(exc))})") from None


def _validate(data: Any, source_name: str) -> Scenario:
    if not isinstance(data, Mapping):
        raise InputError(
            f"{source_name}: expected a mapping of scenario fields (name: value) at the top "
            f"level, got {_kind(data)}"
        )
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, source_name, data)) from None


# --- error messages ---------------------------------------------------------------------------
_EXPECTED = {
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number",
    "string_type": "text",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "model_type": "a mapping (name: value)",
    "model_attributes_type": "a mapping (name: value)",
    "dict_type": "a mapping (name: value)",
    "tuple_type": "a list",
    "list_type": "a list",
    "iterable_type": "a list",
}
_RANGE_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_PHASE_BLOCKS: dict[str, type[BaseModel]] = {
    "sleep": Sleep,
    "diet": Diet,
    "micronutrients": Micronutrients,
}


def format_validation_error(
    exc: ValidationError, source_name: str = "scenario", data: Any = None
) -> str:
    """Turn a pydantic ``ValidationError`` on a :class:`Scenario` into one line per problem.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error raised by ``Scenario.model_validate``.
    source_name : str
        Prefix of each line, usually the file name.
    data : Any, optional
        The raw input; lets errors inside a phase's ``sleep`` / ``diet`` / ``micronutrients``
        override name the block they came from.

    Returns
    -------
    str
        Lines such as ``"scenario.yaml: subject.age_years = 150 is out of range (allowed
        18-90 years)"``, joined by newlines, one per distinct field.
    """
    lines: list[str] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        where = _resolve(tuple(err["loc"]), data)
        if where.path in seen:
            continue  # one line per field (a union produces one error per member)
        seen.add(where.path)
        lines.append(f"{source_name}: {_describe(err, where)}")
    return "\n".join(lines)


class _Where:
    """Where in the scenario an error points: dotted path, field info, enclosing model."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.field: FieldInfo | None = None
        self.model: type[BaseModel] | None = Scenario
        self.unknown = False  # the last key is not a field of ``model``
        self.union = False  # the error is about one member of a union type

    @property
    def path(self) -> str:
        out = ""
        for p in self.parts:
            out += p if p.startswith("[") else (f".{p}" if out else p)
        return out or "scenario"


def _resolve(loc: tuple[str | int, ...], data: Any) -> _Where:
    where = _Where()
    current: Any = Scenario
    raw: Any = data
    for item in loc:
        if isinstance(item, int):
            where.parts.append(f"[{item}]")
            current = _element_type(current)
            raw = (
                raw[item]
                if isinstance(raw, list | tuple) and -len(raw) <= item < len(raw)
                else None
            )
            where.model = current if _is_model(current) else None
            continue
        model = current if _is_model(current) else None
        if model is None:
            where.union = True  # e.g. 'tuple[union[str,int], ...]': a union member's tag
            break
        if item not in model.model_fields and model is Phase:
            block = _phase_block(item, raw)
            if block is not None:  # pydantic drops the block name of a phase override
                where.parts.append(block)
                model = _PHASE_BLOCKS[block]
                raw = raw.get(block) if isinstance(raw, Mapping) else None
        where.model = model
        where.parts.append(item)
        if item not in model.model_fields:
            where.unknown = True
            where.field = None
            break
        where.field = model.model_fields[item]
        current = _unwrap_optional(where.field.annotation)
        raw = raw.get(item) if isinstance(raw, Mapping) else None
    return where


def _phase_block(key: str, raw_phase: Any) -> str | None:
    if isinstance(raw_phase, Mapping):
        for block in _PHASE_BLOCKS:
            override = raw_phase.get(block)
            if isinstance(override, Mapping) and key in override:
                return block
    for block, cls in _PHASE_BLOCKS.items():
        if key in cls.model_fields:
            return block
    return None


def _is_model(tp: Any) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _unwrap_optional(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _unwrap_optional(args[0])
    return tp


def _element_type(tp: Any) -> Any:
    tp = _unwrap_optional(tp)
    if typing.get_origin(tp) in (tuple, list):
        args = typing.get_args(tp)
        if args:
            return _unwrap_optional(args[0])
    return None


def _describe(err: Any, where: _Where) -> str:
    kind: str = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    path = where.path
    field = where.field

    if kind == "extra_forbidden" or where.unknown:
        allowed = ", ".join(where.model.model_fields) if where.model is not None else ""
        return f"unknown field `{path}`" + (f" (allowed: {allowed})" if allowed else "")
    if kind == "missing":
        return f"`{path}` is required" + (f" ({_head(field)})" if field is not None else "")
    shown = _show(value)
    if kind in _RANGE_TYPES:
        return f"{path} = {shown} is out of range ({_allowed(field, ctx)})"
    if where.union and field is not None:
        return f"{path} = {shown} is not valid (expected {field.description})"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{path} = {shown} is not allowed (expected one of: {', '.join(choices)})"
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        sub = _unwrap_optional(field.annotation) if field is not None else None
        if kind in ("model_type", "model_attributes_type", "dict_type") and _is_model(sub):
            expected += f" of the fields {', '.join(sub.model_fields)}"
        about = f"; {_head(field)}" if field is not None and field.description else ""
        return f"{path} = {shown} has the wrong type (expected {expected}{about})"
    message = str(err.get("msg", kind))
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if isinstance(value, Mapping | list | tuple):  # a whole block or list: name only the path
        return f"{path}: {message}"
    return f"{path} = {shown}: {message}"


def _allowed(field: FieldInfo | None, ctx: Mapping[str, Any]) -> str:
    bounds: dict[str, Any] = {}
    for m in field.metadata if field is not None else ():
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                bounds[key] = getattr(m, key)
    if not bounds:  # bounds that are not on the field itself
        bounds = {k: ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx}
    if "ge" in bounds and "le" in bounds:
        rng = f"{_num(bounds['ge'])}-{_num(bounds['le'])}"
    else:
        words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
        rng = " and ".join(f"{words[k]} {_num(v)}" for k, v in bounds.items()) or "a valid value"
    unit = _unit(field)
    if unit:
        return f"allowed {rng} {unit}"
    head = _head(field)
    return f"allowed {rng}" + (f"; {head}" if head else "")


_UNIT = re.compile(r"\bin ([^,;()]+?)\s*,\s*[-+]?\d")


def _unit(field: FieldInfo | None) -> str:
    if field is None or not field.description:
        return ""
    m = _UNIT.search(field.description)
    return m.group(1).strip() if m else ""


def _head(field: FieldInfo | None) -> str:
    """The field's description without its trailing range ("hours asleep per night")."""
    if field is None or not field.description:
        return ""
    return re.split(r",\s*[-+]?\d", field.description, maxsplit=1)[0].strip()


def _num(x: Any) -> str:
    if isinstance(x, int):
        return str(x)
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, int | float):
        text = _num(value) if isinstance(value, float) else str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    text = _one_line(text)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {_show(value)}"
    return f"a {type(value).__name__}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- saving -----------------------------------------------------------------------------------
class _ScenarioDumper(yaml.SafeDumper):
    """Clock times in quotes, short lists of plain values on one line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if re.fullmatch(r"\d{1,2}:\d{2}", value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_ScenarioDumper.add_representer(str, _represent_str)
_ScenarioDumper.add_representer(list, _represent_list)


def scenario_to_yaml(scenario: Scenario) -> str:
    """Render a scenario as YAML that :func:`load_scenario` reads back to an equal scenario.

    Parameters
    ----------
    scenario : Scenario
        The scenario.

    Returns
    -------
    str
        YAML text; fields left at ``None`` (meaning "use the default") are omitted.
    """
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.dump(data, Dumper=_ScenarioDumper, sort_keys=False, allow_unicode=True, width=100)


def dump_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> Path:
    """Write a scenario to ``path`` as YAML, or as JSON if the name ends in ``.json``.

    The file is written to a temporary file in the same directory and renamed into place,
    so a failed write never leaves a partial file.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    path : str or path
        Destination file.

    Returns
    -------
    Path
        The path written.
    """
    out = Path(path)
    if out.suffix.lower() == ".json":
        text = json.dumps(scenario.model_dump(mode="json", exclude_none=True), indent=2) + "\n"
    else:
        text = scenario_to_yaml(scenario)
    atomic_write_text(out, text)
    return out


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``.

    The temporary file sits beside ``path`` (same file system, so the rename is atomic) and
    gets the usual permissions for new files; it is removed if writing fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
