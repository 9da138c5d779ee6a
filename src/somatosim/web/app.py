"""The local web dashboard and its HTTP API (FastAPI), DESIGN.md §4 ``web/``.

:func:`create_app` builds the application: a JSON API under ``/api/`` described by
``/openapi.json``, and the dashboard page at ``/`` with its script, style sheet and the
plotly.js bundle that ships inside the installed ``plotly`` Python package (so the page works
with no internet connection).

The web layer holds no science: every number comes from :func:`somatosim.simulate_many`,
:mod:`somatosim.clinical`, :mod:`somatosim.analysis`, the parameter table and the report
module. What it adds is the edge of the system (DESIGN.md §6): validation errors as 422 JSON
naming the field, the value and the allowed range; caps on request size, simulated days,
subjects per request and returned points; simulations in worker threads with a time limit;
a token on every API call when the server is reachable from other machines; and no endpoint
that reads or writes a path supplied by the client.

Examples
--------
>>> app = create_app(limits=Limits(max_days=90))
>>> sorted(p for p in app.openapi()["paths"] if p.startswith("/api/presets"))
['/api/presets', '/api/presets/{name}']
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeGuard, TypeVar

import anyio
import anyio.to_thread
import numpy as np
from fastapi import APIRouter, FastAPI, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from somatosim._api import citation, simulate_many
from somatosim._version import __version__
from somatosim.clinical import default_reference, igf1_sds, to_ng_ml
from somatosim.errors import InputError, SimulationError
from somatosim.model.parameters import PARAMETERS
from somatosim.scenario.io import format_validation_error
from somatosim.scenario.schema import Scenario
from somatosim.web._guard import LOOPBACK_HOSTS, Guard
from somatosim.web._models import (
    BatchRequest,
    BatchResponse,
    CitationOut,
    CitationRequest,
    CompareRequest,
    CompareResponse,
    ErrorResponse,
    FieldError,
    InfoResponse,
    ParameterOut,
    PresetDetail,
    PresetSummary,
    PulseRequest,
    PulseResponse,
    SdsResponse,
    SimulateRequest,
    SimulationOut,
    TimeseriesSpec,
)

if TYPE_CHECKING:
    import pandas as pd

    from somatosim.engine.result import Result

__all__ = ["ApiError", "Limits", "create_app"]

_log = logging.getLogger("somatosim.web")
_STATIC = Path(__file__).parent / "static"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may ask of the server.

    Attributes
    ----------
    max_body_bytes : int
        Largest request body (bytes); larger requests get 413.
    max_days : int
        Most simulated days per scenario.
    max_subjects : int
        Most scenarios (subjects) in one batch request.
    max_subject_days : int
        Most simulated subject-days (scenarios x days) in one request.
    max_points : int
        Most time-series points returned per variable and scenario.
    max_samples : int
        Most samples in a series sent for pulse analysis.
    timeout_s : float
        Time limit of one request's computation (seconds); past it the answer is 408.
    max_workers : int
        Computations running at once; further requests wait for a free worker.
    max_inflight : int
        Computations running or waiting (including timed-out ones still finishing) beyond
        which new requests get 429.
    """

    max_body_bytes: int = 256_000
    max_days: int = 365
    max_subjects: int = 20
    max_subject_days: int = 3_650
    max_points: int = 50_000
    max_samples: int = 2_000
    timeout_s: float = 60.0
    max_workers: int = 2
    max_inflight: int = 8


class ApiError(Exception):
    """An error answer: HTTP status, machine code, human message and the field concerned."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


# --- error answers ----------------------------------------------------------------------------
def _error_response(
    status: int, code: str, message: str, errors: Sequence[FieldError] = ()
) -> JSONResponse:
    body = ErrorResponse(error=code, message=message, errors=list(errors))
    return JSONResponse(body.model_dump(), status_code=status)


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dotted(parts: Sequence[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_SCENARIO_FIELDS = ("scenario", "baseline", "whatif")
_LINE_FIELD = re.compile(
    r"^(?:unknown field `(?P<a>[^`]+)`|`(?P<b>[^`]+)` is required|(?P<c>[^\s=:]+)(?: = |:))"
)


def _scenario_prefix(parts: Sequence[Any]) -> tuple[Any, ...] | None:
    if parts and parts[0] in _SCENARIO_FIELDS:
        return (parts[0],)
    if len(parts) >= 2 and parts[0] == "scenarios" and isinstance(parts[1], int):
        return (parts[0], parts[1])
    return None


def _dig(data: Any, parts: Sequence[Any]) -> Any:
    for p in parts:
        if isinstance(p, int) and isinstance(data, list) and 0 <= p < len(data):
            data = data[p]
        elif isinstance(p, str) and isinstance(data, Mapping):
            data = data.get(p)
        else:
            return None
    return data


def _scenario_errors(key: str, raw: Any) -> list[FieldError]:
    """Re-validate one scenario on its own to word its errors as ``somatosim run`` does."""
    try:
        Scenario.model_validate(raw)
    except ValidationError as exc:
        out = []
        for line in format_validation_error(exc, key, raw).splitlines():
            text = line.removeprefix(f"{key}: ")
            m = _LINE_FIELD.match(text)
            path = (m.group("a") or m.group("b") or m.group("c")) if m else None
            field = key if path in (None, "scenario") else f"{key}.{path}"
            out.append(FieldError(field=field, message=line))
        return out
    return []


def _field_help() -> dict[str, str]:
    """Dotted request field -> its description (unit and range), for error messages."""
    out: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            if info.description:
                out[prefix + name] = info.description
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel) and ann is not Scenario:
                walk(ann, f"{prefix}{name}.")

    for model in (SimulateRequest, CompareRequest, BatchRequest, CitationRequest, PulseRequest):
        walk(model, "")
    out.update(_QUERY_HELP)
    return out


_QUERY_HELP = {
    "igf1": "measured total IGF-1 in the given units, 0.01-5000",
    "units": "IGF-1 units: ng/mL or nmol/L",
    "age_years": "age in years, 18-100",
    "sex": "male or female",
    "name": "a preset name from GET /api/presets",
}


def _generic_error(err: Mapping[str, Any], help_: Mapping[str, str]) -> FieldError:
    loc = list(err.get("loc", ()))
    parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
    field = _dotted(parts) or (str(loc[0]) if loc else "body")
    kind = str(err.get("type", ""))
    value = err.get("input")
    if kind == "json_invalid":
        message = f"the request body is not valid JSON ({err.get('msg', '')})"
        field = "body"
    elif kind == "missing":
        message = f"`{field}` is required"
    elif kind == "extra_forbidden":
        message = f"unknown field `{field}`"
    else:
        message = f"{field} = {_show(value)}: {err.get('msg', kind)}"
    description = help_.get(re.sub(r"\[\d+\]", "", field))
    if description and kind != "json_invalid":
        message += f" ({description})"
    return FieldError(field=field, message=message)


def _validation_errors(exc: RequestValidationError, help_: Mapping[str, str]) -> list[FieldError]:
    out: list[FieldError] = []
    done: set[str] = set()
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        parts = loc[1:] if loc and loc[0] == "body" else None
        prefix = _scenario_prefix(parts) if parts is not None else None
        if prefix is not None:
            key = _dotted(prefix)
            if key in done:
                continue
            found = _scenario_errors(key, _dig(exc.body, prefix))
            if found:
                done.add(key)
                out.extend(found)
                continue
        out.append(_generic_error(err, help_))
    return out


# --- conversion of results to JSON ------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    """Plain JSON types; NaN and infinities become ``None``."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray | np.generic):
        return _jsonable(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _column(values: Any) -> list[Any]:
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return list(arr.tolist())
    if arr.dtype.kind == "f":
        out: list[Any] = arr.tolist()
        if not np.isfinite(arr).all():
            out = [v if math.isfinite(v) else None for v in out]
        return out
    return [_jsonable(v) for v in arr.tolist()]


def _table(df: pd.DataFrame) -> dict[str, list[Any]]:
    flat = df.reset_index()
    return {str(c): _column(flat[c].to_numpy()) for c in flat.columns}


def _reference_band(scenario: Scenario) -> dict[str, Any]:
    ref = default_reference()
    age, sex = scenario.subject.age_years, scenario.subject.sex
    p2_5, p50, p97_5 = (float(ref.centile(p, age, sex)) for p in (2.5, 50.0, 97.5))
    return {
        "name": ref.name,
        "age_years": age,
        "sex": sex,
        "p2_5": p2_5,
        "p50": p50,
        "p97_5": p97_5,
        "units": "ng/mL",
    }


def _window(spec: TimeseriesSpec, days: int, prefix: str) -> tuple[float, float]:
    total = 24.0 * days
    start = spec.start_hour if spec.start_hour is not None else 0.0
    end = spec.end_hour if spec.end_hour is not None else total
    if end > total:
        raise ApiError(
            422,
            "invalid_request",
            f"{prefix}.end_hour = {end:g} is past the end of the run ({total:g} hours "
            f"for {days} days); allowed {start:g}-{total:g}",
            f"{prefix}.end_hour",
        )
    if start >= end:
        raise ApiError(
            422,
            "invalid_request",
            f"{prefix}.start_hour = {start:g} must be before the window end ({end:g} "
            f"hours); allowed 0-{end:g}",
            f"{prefix}.start_hour",
        )
    return start, end


def _timeseries(result: Result, spec: TimeseriesSpec, prefix: str) -> dict[str, Any] | None:
    if not spec.variables:
        return None
    ts = result.timeseries
    start, end = _window(spec, result.scenario.days, prefix)
    for i, name in enumerate(spec.variables):
        if name not in ts.data_vars:
            known = ", ".join(str(v) for v in ts.data_vars)
            raise ApiError(
                422,
                "invalid_request",
                f"{prefix}.variables[{i}] = {_show(name)} is not a time-series "
                f"variable (allowed: {known})",
                f"{prefix}.variables[{i}]",
            )
    hours = np.asarray(ts["hours"].values, dtype=float)
    eps = 1e-9
    idx = np.flatnonzero((hours >= start - eps) & (hours < end - eps))
    save_min = int(ts.attrs.get("save_every_min", 5))
    step = max(1, spec.resolution_min // save_min)
    starts = np.arange(0, idx.size, step)
    counts = np.diff(np.append(starts, idx.size))
    values: dict[str, list[Any]] = {}
    units: dict[str, str] = {}
    names: dict[str, str] = {}
    for name in spec.variables:
        da = ts[name]
        data = np.asarray(da.values)[idx]
        if data.size == 0:
            values[name] = []
        elif data.dtype.kind in "iub":  # categorical: the value at the start of each interval
            values[name] = _column(data[starts])
        else:
            values[name] = _column(np.add.reduceat(data.astype(float), starts) / counts)
        units[name] = str(da.attrs.get("units", ""))
        names[name] = str(da.attrs.get("long_name", name))
    return {
        "resolution_min": spec.resolution_min,
        "start_hour": start,
        "end_hour": end,
        "hours": _column(hours[idx][starts]) if idx.size else [],
        "values": values,
        "units": units,
        "long_names": names,
    }


def _simulation_out(result: Result, spec: TimeseriesSpec | None, prefix: str) -> dict[str, Any]:
    return {
        "scenario": result.scenario.model_dump(mode="json"),
        "summary": _jsonable(result.summary),
        "warnings": list(result.warnings),
        "daily": _table(result.daily),
        "timeseries": None if spec is None else _timeseries(result, spec, prefix),
        "reference": _reference_band(result.scenario),
    }


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key, va in a.items():
        vb = b.get(key)
        if _is_number(va) and _is_number(vb):
            d = float(vb) - float(va)
            out[key] = d if math.isfinite(d) else None
    return out


def _filename(name: str, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60] or "scenario"
    return stem + suffix


def _attachment(content: str, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


# --- running computations ---------------------------------------------------------------------
class _Runner:
    """Runs blocking work in worker threads, with a time limit and a cap on work in flight."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._inflight = 0
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[[], T], what: str) -> T:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.limits.max_workers)
        with self._lock:
            if self._inflight >= self.limits.max_inflight:
                raise ApiError(
                    429,
                    "busy",
                    "the server is busy with other computations; try again in a few seconds",
                )
            self._inflight += 1
        state = {"started": False, "cancelled": False}

        def work() -> T:
            with self._lock:
                if state["cancelled"]:
                    raise RuntimeError("cancelled before it started")
                state["started"] = True
            try:
                return fn()
            finally:
                with self._lock:
                    self._inflight -= 1

        try:
            with anyio.fail_after(self.limits.timeout_s):
                return await anyio.to_thread.run_sync(
                    work, abandon_on_cancel=True, limiter=self._limiter
                )
        except TimeoutError:
            raise ApiError(
                408,
                "timeout",
                f"the {what} took longer than the server's limit of "
                f"{self.limits.timeout_s:g} s; simulate fewer days or send a "
                "shorter series",
            ) from None
        finally:
            with self._lock:
                if not state["started"]:
                    state["cancelled"] = True
                    self._inflight -= 1


def _check_days(scenario: Scenario, field: str, limits: Limits) -> None:
    if scenario.days > limits.max_days:
        raise ApiError(
            422,
            "limit_exceeded",
            f"{field}.days = {scenario.days} is above this server's limit "
            f"(allowed 1-{limits.max_days} days per scenario)",
            f"{field}.days",
        )


def _check_points(spec: TimeseriesSpec, days: int, limits: Limits) -> None:
    if not spec.variables:
        return
    start, end = _window(spec, days, "timeseries")
    points = math.ceil((end - start) * 60.0 / spec.resolution_min)
    if points > limits.max_points:
        fine = math.ceil((end - start) * 60.0 / limits.max_points)
        raise ApiError(
            422,
            "limit_exceeded",
            f"timeseries.resolution_min = {spec.resolution_min} gives {points} points "
            f"per variable for a {end - start:g}-hour window (allowed at most "
            f"{limits.max_points}); use a resolution of at least {fine} minutes or "
            "a shorter window",
            "timeseries.resolution_min",
        )


def _save_every(spec: TimeseriesSpec | None) -> int:
    if spec is None or not spec.variables:
        return 60
    return 5 if spec.resolution_min % 5 == 0 else 1


# --- the application --------------------------------------------------------------------------
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "request not addressed to this machine"},
    401: {"model": ErrorResponse, "description": "missing or wrong token"},
    408: {"model": ErrorResponse, "description": "the computation took too long"},
    413: {"model": ErrorResponse, "description": "request body too large"},
    422: {"model": ErrorResponse, "description": "invalid field, or a limit exceeded"},
    429: {"model": ErrorResponse, "description": "server busy"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "no such preset"}
}
_PULSES_MISSING: dict[int | str, dict[str, Any]] = {
    501: {"model": ErrorResponse, "description": "pulse analysis not available"}
}


def create_app(
    token: str | None = None,
    limits: Limits | None = None,
    *,
    allowed_hosts: Sequence[str] | None = None,
) -> FastAPI:
    """Build the dashboard and API application.

    Parameters
    ----------
    token : str, optional
        When given, every ``/api/`` request must send ``Authorization: Bearer <token>``.
        Required (by :func:`somatosim.cli_serve.serve_command`) when the server listens on an
        address other than the loopback interface.
    limits : Limits, optional
        Caps on request size, days, subjects, points and time (default :class:`Limits`).
    allowed_hosts : sequence of str, optional
        ``Host`` names accepted when no token is set (default: ``127.0.0.1``, ``localhost``,
        ``::1``); requests addressed to any other name get 400, which defeats DNS rebinding.

    Returns
    -------
    fastapi.FastAPI
        The application; serve it with uvicorn.
    """
    lim = limits if limits is not None else Limits()
    runner = _Runner(lim)
    help_ = _field_help()

    app = FastAPI(
        title="somatosim",
        version=__version__,
        summary="Simulator of the human GH-IGF-1 axis: HTTP API of the local dashboard",
        description=(
            "Simulate scenarios (the same schema as somatosim's YAML files), compare a baseline "
            "with a what-if, score IGF-1 against the age/sex reference, analyse GH pulses, and "
            "list presets, model parameters and sources. Errors are JSON "
            "`{error, message, errors: [{field, message}]}`."
            + (" Every `/api/` call needs `Authorization: Bearer <token>`." if token else "")
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    bearer = HTTPBearer(auto_error=False, description="the server's token")
    api = APIRouter(
        prefix="/api",
        responses=_ERRORS,
        dependencies=[Security(bearer)] if token else [],
    )

    # --- error handlers ------------------------------------------------------------------
    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc, help_)
        return _error_response(422, "invalid_request", "; ".join(e.message for e in errors), errors)

    async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        fields = [FieldError(field=exc.field, message=exc.message)] if exc.field else []
        return _error_response(exc.status, exc.code, exc.message, fields)

    async def on_input_error(request: Request, exc: Exception) -> JSONResponse:
        lines = str(exc).splitlines() or ["invalid input"]
        errors = [FieldError(field=_line_field(line), message=line) for line in lines]
        return _error_response(422, "invalid_request", "; ".join(lines), errors)

    async def on_simulation_error(request: Request, exc: Exception) -> JSONResponse:
        _log.error("simulation failed: %s", exc)
        return _error_response(500, "simulation_failed", str(exc))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        text = {404: "no such page or endpoint", 405: "method not allowed here"}.get(
            exc.status_code, str(exc.detail)
        )
        response = _error_response(exc.status_code, "http_error", text)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unexpected error in %s %s", request.method, request.url.path)
        return _error_response(
            500, "internal_error", "an unexpected error occurred; it has been logged"
        )

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(InputError, on_input_error)
    app.add_exception_handler(SimulationError, on_simulation_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)

    # --- simulation ----------------------------------------------------------------------
    async def run_pair(req: CompareRequest) -> tuple[Result, Result]:
        _check_days(req.baseline, "baseline", lim)
        _check_days(req.whatif, "whatif", lim)
        _check_points(req.timeseries, min(req.baseline.days, req.whatif.days), lim)
        seeds = None if req.seed is None else [req.seed, req.seed]
        save = _save_every(req.timeseries)
        a, b = await runner.run(
            lambda: simulate_many([req.baseline, req.whatif], seeds, save_every_min=save),
            "simulation",
        )
        return a, b

    async def run_one(req: SimulateRequest, spec: TimeseriesSpec | None) -> Result:
        _check_days(req.scenario, "scenario", lim)
        if spec is not None:
            _check_points(spec, req.scenario.days, lim)
        seeds = None if req.seed is None else [req.seed]
        save = _save_every(spec)
        results = await runner.run(
            lambda: simulate_many([req.scenario], seeds, save_every_min=save), "simulation"
        )
        return results[0]

    @api.post("/simulate", response_model=SimulationOut, tags=["simulation"])
    async def simulate_endpoint(req: SimulateRequest) -> JSONResponse:
        """Simulate one scenario: summary, daily table, downsampled time series, warnings."""
        result = await run_one(req, req.timeseries)
        return JSONResponse(_simulation_out(result, req.timeseries, "timeseries"))

    @api.post("/compare", response_model=CompareResponse, tags=["simulation"])
    async def compare_endpoint(req: CompareRequest) -> JSONResponse:
        """Simulate a baseline and a what-if scenario side by side."""
        a, b = await run_pair(req)
        out_a = _simulation_out(a, req.timeseries, "timeseries")
        out_b = _simulation_out(b, req.timeseries, "timeseries")
        return JSONResponse(
            {
                "baseline": out_a,
                "whatif": out_b,
                "differences": _differences(out_a["summary"], out_b["summary"]),
            }
        )

    @api.post("/batch", response_model=BatchResponse, tags=["simulation"])
    async def batch_endpoint(req: BatchRequest) -> JSONResponse:
        """Simulate several subjects (summaries, warnings and daily tables only)."""
        n = len(req.scenarios)
        if n > lim.max_subjects:
            raise ApiError(
                422,
                "limit_exceeded",
                f"scenarios has {n} entries (allowed 1-{lim.max_subjects} subjects per request)",
                "scenarios",
            )
        if req.seeds is not None and len(req.seeds) != n:
            raise ApiError(
                422,
                "invalid_request",
                f"seeds has {len(req.seeds)} entries; give one seed per scenario ({n}) or none",
                "seeds",
            )
        for i, sc in enumerate(req.scenarios):
            _check_days(sc, f"scenarios[{i}]", lim)
        subject_days = sum(sc.days for sc in req.scenarios)
        if subject_days > lim.max_subject_days:
            raise ApiError(
                422,
                "limit_exceeded",
                f"scenarios add up to {subject_days} "
                f"subject-days (allowed at most {lim.max_subject_days} per request)",
                "scenarios",
            )
        results = await runner.run(
            lambda: simulate_many(req.scenarios, req.seeds, save_every_min=60), "simulation"
        )
        items = [
            {
                "name": r.scenario.name,
                "summary": _jsonable(r.summary),
                "warnings": list(r.warnings),
                "daily": _table(r.daily),
            }
            for r in results
        ]
        return JSONResponse({"results": items})

    # --- downloads -----------------------------------------------------------------------
    @api.post(
        "/export/daily.csv",
        tags=["downloads"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}, "description": "the daily table"}},
    )
    async def export_daily_csv(req: SimulateRequest) -> Response:
        """The daily table of one run as CSV."""
        result = await run_one(req, None)
        return _attachment(
            result.daily.to_csv(), "text/csv", _filename(result.scenario.name, "-daily.csv")
        )

    @api.post(
        "/export/compare.csv",
        tags=["downloads"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}, "description": "both daily tables"}},
    )
    async def export_compare_csv(req: CompareRequest) -> Response:
        """The daily tables of a comparison as one CSV with a ``scenario`` column."""
        import pandas as pd

        a, b = await run_pair(req.model_copy(update={"timeseries": TimeseriesSpec(variables=[])}))
        frames = [
            r.daily.reset_index().assign(scenario=label)
            for r, label in ((a, "baseline"), (b, "whatif"))
        ]
        table = pd.concat(frames, ignore_index=True)
        table = table[["scenario", *[c for c in table.columns if c != "scenario"]]]
        return _attachment(table.to_csv(index=False), "text/csv", "somatosim-comparison.csv")

    @api.post(
        "/export/report.html",
        tags=["downloads"],
        response_class=Response,
        responses={200: {"content": {"text/html": {}}, "description": "the HTML report"}},
    )
    async def export_report(req: SimulateRequest) -> Response:
        """The self-contained HTML report of one run."""
        from somatosim.report.html import render_report

        _check_days(req.scenario, "scenario", lim)
        seeds = None if req.seed is None else [req.seed]

        def work() -> tuple[str, str]:
            result = simulate_many([req.scenario], seeds)[0]
            with _REPORT_LOCK:
                return render_report(result), result.scenario.name

        html, name = await runner.run(work, "report")
        return _attachment(html, "text/html", _filename(name, "-report.html"))

    @api.post(
        "/export/compare.html",
        tags=["downloads"],
        response_class=Response,
        responses={
            200: {"content": {"text/html": {}}, "description": "the HTML comparison report"}
        },
    )
    async def export_compare_report(req: CompareRequest) -> Response:
        """The self-contained HTML report comparing the baseline with the what-if."""
        from somatosim.report.html import render_compare_report

        _check_days(req.baseline, "baseline", lim)
        _check_days(req.whatif, "whatif", lim)
        seeds = None if req.seed is None else [req.seed, req.seed]

        def work() -> str:
            a, b = simulate_many([req.baseline, req.whatif], seeds)
            with _REPORT_LOCK:
                return render_compare_report(a, b, labels=("baseline", "what-if"))

        html = await runner.run(work, "report")
        return _attachment(html, "text/html", "somatosim-comparison.html")

    # --- presets, reference, parameters, sources -----------------------------------------
    @api.get("/presets", response_model=list[PresetSummary], tags=["scenarios"])
    def presets_endpoint() -> list[dict[str, Any]]:
        """The built-in scenarios to start from."""
        from somatosim.scenario.presets import PRESETS, list_presets

        return [
            {"name": name, "summary": summary, "days": PRESETS[name].days}
            for name, summary in list_presets()
        ]

    @api.get(
        "/presets/{name}", response_model=PresetDetail, tags=["scenarios"], responses=_NOT_FOUND
    )
    def preset_endpoint(
        name: Annotated[str, PathParam(max_length=64, description=_QUERY_HELP["name"])],
    ) -> dict[str, Any]:
        """One built-in scenario in full."""
        from somatosim.scenario.presets import get_preset, list_presets

        try:
            sc = get_preset(name)
        except InputError as exc:
            raise ApiError(404, "not_found", str(exc), "name") from None
        summary = dict(list_presets()).get(sc.name, "")
        return {
            "name": sc.name,
            "summary": summary,
            "description": sc.description,
            "scenario": sc.model_dump(mode="json"),
        }

    @api.get("/scenario-schema", tags=["scenarios"])
    def scenario_schema() -> dict[str, Any]:
        """JSON Schema of a scenario: every field with its unit, range and default."""
        return Scenario.model_json_schema()

    @api.get("/sds", response_model=SdsResponse, tags=["clinical"])
    def sds_endpoint(
        igf1: Annotated[float, Query(ge=0.01, le=5000, description=_QUERY_HELP["igf1"])],
        age_years: Annotated[float, Query(ge=18, le=100, description=_QUERY_HELP["age_years"])],
        sex: Annotated[Literal["male", "female"], Query(description=_QUERY_HELP["sex"])],
        units: Annotated[Literal["ng/mL", "nmol/L"], Query(description=_QUERY_HELP["units"])] = (
            "ng/mL"
        ),
    ) -> dict[str, Any]:
        """IGF-1 SDS and percentile against the age/sex reference, with the reference band."""
        ref = default_reference()
        value = float(to_ng_ml(igf1, units))
        sds = float(igf1_sds(igf1, age_years, sex, units=units))
        if not math.isfinite(sds):
            raise ApiError(
                422,
                "invalid_request",
                f"igf1 = {igf1:g} {units} is outside what the "
                f"reference can score at {age_years:g} years",
                "igf1",
            )
        band = {
            "name": ref.name,
            "age_years": age_years,
            "sex": sex,
            "units": "ng/mL",
            **{
                k: float(ref.centile(p, age_years, sex))
                for k, p in (("p2_5", 2.5), ("p50", 50.0), ("p97_5", 97.5))
            },
        }
        return {
            "igf1_ng_ml": value,
            "sds": sds,
            "percentile": float(ref.percentile(value, age_years, sex)),
            "reference": band,
        }

    @api.get("/parameters", response_model=list[ParameterOut], tags=["model"])
    def parameters_endpoint() -> list[dict[str, Any]]:
        """The model's parameter table: value, unit, plausible range, source, mechanism."""
        return [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "lower": p.lower,
                "upper": p.upper,
                "description": p.description,
                "source": p.source,
                "mechanism": p.mechanism,
            }
            for p in PARAMETERS
        ]

    @api.get("/citations", response_model=list[CitationOut], tags=["model"])
    def citations_endpoint() -> list[dict[str, str]]:
        """Every source of the model."""
        return [asdict(r) for r in citation()]

    @api.post("/scenario-citations", response_model=list[CitationOut], tags=["model"])
    def scenario_citations(req: CitationRequest) -> list[dict[str, str]]:
        """The sources behind the parts of the model that a scenario uses."""
        return [asdict(r) for r in citation(req.scenario)]

    # --- pulse analysis ------------------------------------------------------------------
    @api.post("/pulses", response_model=PulseResponse, tags=["analysis"], responses=_PULSES_MISSING)
    async def pulses_endpoint(req: PulseRequest) -> JSONResponse:
        """Deconvolution of a measured GH series: bursts, basal secretion, half-life."""
        try:
            from somatosim.analysis.deconvolution import deconvolve
        except ImportError:
            raise ApiError(
                501, "not_available", "pulse analysis is not available in this installation"
            ) from None
        n = len(req.times_min)
        if n > lim.max_samples:
            raise ApiError(
                422,
                "limit_exceeded",
                f"times_min has {n} samples (allowed at most {lim.max_samples} per request)",
                "times_min",
            )
        if len(req.concentration) != n:
            raise ApiError(
                422,
                "invalid_request",
                f"concentration has "
                f"{len(req.concentration)} values but times_min has {n}; give one "
                "concentration per sample time",
                "concentration",
            )

        def work() -> dict[str, Any]:
            try:
                res = deconvolve(
                    req.times_min,
                    req.concentration,
                    units=req.units,
                    shape=req.shape,
                    assay_cv=req.assay_cv,
                    distribution_volume_l=req.distribution_volume_l,
                )
            except InputError as exc:
                text = str(exc)
                field = (
                    "concentration"
                    if "concentration" in text
                    else "times_min"
                    if "time" in text
                    else "units"
                    if "units" in text
                    else "times_min"
                )
                raise ApiError(422, "invalid_request", text, field) from None
            est = res.estimates.reset_index()
            hl = res.halflife_min
            return {
                "n_bursts": int(res.n_bursts),
                "halflife_min": hl if math.isfinite(hl) else None,
                "units": res.units,
                "estimates": [_jsonable(row) for row in est.to_dict(orient="records")],
                "bursts": _table(res.bursts.set_index(res.bursts.columns[0])),
                "fitted": _column(res.fitted),
                "warnings": list(res.warnings),
            }

        return JSONResponse(await runner.run(work, "pulse analysis"))

    # --- about the server ----------------------------------------------------------------
    @api.get("/info", response_model=InfoResponse, tags=["server"])
    def info_endpoint() -> dict[str, Any]:
        """Version, the server's limits and whether a token is required."""
        return {
            "version": __version__,
            "token_required": token is not None,
            "limits": {k: float(v) for k, v in asdict(lim).items()},
            "igf1_reference": default_reference().name,
        }

    app.include_router(api)
    _advertise_limits(app, lim)

    # --- the dashboard page --------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(_STATIC / "index.html", media_type="text/html")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        path = _plotly_bundle()
        if path is None:
            return _error_response(
                404,
                "not_found",
                "plotly.min.js is missing from the installed plotly package; reinstall plotly",
            )
        return FileResponse(
            path, media_type="text/javascript", headers={"cache-control": "public, max-age=86400"}
        )

    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    hosts = allowed_hosts if allowed_hosts is not None else LOOPBACK_HOSTS
    app.add_middleware(Guard, token=token, max_body_bytes=lim.max_body_bytes, allowed_hosts=hosts)
    return app


_REPORT_LOCK = threading.Lock()  # matplotlib figure rendering, one report at a time


def _advertise_limits(app: FastAPI, lim: Limits) -> None:
    """Write the server's caps into the OpenAPI description (maxima, maxItems)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        comps = schema.get("components", {}).get("schemas", {})

        def cap(model: str, field: str, key: str, value: int, note: str) -> None:
            prop = comps.get(model, {}).get("properties", {}).get(field)
            if prop is not None:
                prop[key] = min(value, prop.get(key, value))
                prop["description"] = f"{prop.get('description', '')} ({note})".strip()

        cap(
            "Scenario", "days", "maximum", lim.max_days, f"this server: at most {lim.max_days} days"
        )
        cap(
            "BatchRequest",
            "scenarios",
            "maxItems",
            lim.max_subjects,
            f"this server: at most {lim.max_subjects} scenarios and {lim.max_subject_days} "
            "subject-days per request",
        )
        for field in ("times_min", "concentration"):
            cap(
                "PulseRequest",
                field,
                "maxItems",
                lim.max_samples,
                f"this server: at most {lim.max_samples} samples",
            )
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _line_field(line: str) -> str:
    m = re.match(r"^(?:[\w.\[\]<>]+: )?([A-Za-z_][\w.\[\]]*)\s*=", line)
    return m.group(1) if m else "input"


def _plotly_bundle() -> Path | None:
    """Path of the plotly.js bundle shipped inside the installed ``plotly`` package."""
    try:
        ref = resources.files("plotly").joinpath("package_data", "plotly.min.js")
    except ModuleNotFoundError:
        return None
    path = Path(str(ref))
    return path if path.is_file() else None
