"""HTTP API of the web dashboard (issue 7), against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import io
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
import uvicorn

import somatosim
from somatosim.clinical import default_reference, igf1_sds
from somatosim.errors import InputError
from somatosim.model.parameters import PARAMETERS
from somatosim.web import Limits, create_app

pytestmark = pytest.mark.e2e

TOKEN = "a-long-enough-test-token"


class LiveServer:
    """A uvicorn server in a background thread, bound to an ephemeral port."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with LiveServer(create_app()) as live, httpx.Client(base_url=live.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def served() -> Iterator[Callable[..., httpx.Client]]:
    """Start extra servers (token, small limits) on demand; all stopped at the end."""
    stack: list[tuple[LiveServer, httpx.Client]] = []

    def make(**kwargs: Any) -> httpx.Client:
        live = LiveServer(create_app(**kwargs)).__enter__()
        c = httpx.Client(base_url=live.url, timeout=60)
        stack.append((live, c))
        return c

    yield make
    for live, c in stack:
        c.close()
        live.__exit__(None, None, None)


def fields(response: httpx.Response) -> list[str]:
    body = response.json()
    assert {"error", "message", "errors"} <= set(body), body
    return [e["field"] for e in body["errors"]]


# --- simulate ----------------------------------------------------------------------------------
def test_simulate_returns_summary_daily_timeseries_warnings(client: httpx.Client) -> None:
    r = client.post(
        "/api/simulate",
        json={
            "scenario": {"days": 3, "subject": {"age_years": 40}},
            "seed": 5,
            "timeseries": {"resolution_min": 30},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    summary = body["summary"]
    for key in (
        "igf1_final_ng_ml",
        "igf1_final_sds",
        "gh_secretion_mg_per_day",
        "gh_pulses_per_day",
        "gh_sleep_fraction",
        "warnings",
    ):
        assert key in summary
    assert body["warnings"] == summary["warnings"]
    assert body["daily"]["day"] == [0, 1, 2]
    assert len(body["daily"]["igf1_sds"]) == 3
    ts = body["timeseries"]
    assert ts["resolution_min"] == 30
    assert len(ts["hours"]) == 3 * 24 * 2
    assert set(ts["values"]) == {"gh", "igf1_total", "sleep_stage"}
    assert ts["units"]["gh"] == "ng/mL"
    assert set(ts["values"]["sleep_stage"]) <= {0, 1, 2, 3}
    ref = body["reference"]
    assert ref["p2_5"] < ref["p50"] < ref["p97_5"]
    assert ref["age_years"] == 40 and ref["sex"] == "male"
    assert body["scenario"]["seed"] == 5


def test_timeseries_is_the_interval_mean_of_the_library_result(client: httpx.Client) -> None:
    scenario = {"days": 2, "seed": 3}
    r = client.post(
        "/api/simulate",
        json={
            "scenario": scenario,
            "timeseries": {
                "resolution_min": 60,
                "start_hour": 24,
                "end_hour": 36,
                "variables": ["gh"],
            },
        },
    )
    assert r.status_code == 200, r.text
    ts = r.json()["timeseries"]
    lib = somatosim.simulate(scenario, save_every_min=5).timeseries
    window = lib["gh"].sel(hours=slice(24, 36 - 1e-6)).to_numpy()
    expected = window.reshape(12, 12).mean(axis=1)
    assert ts["hours"] == pytest.approx(list(np.arange(24.0, 36.0)))
    np.testing.assert_allclose(ts["values"]["gh"], expected, rtol=1e-12)
    # the summary is the library's
    summary = somatosim.simulate(scenario).summary
    assert r.json()["summary"]["igf1_final_ng_ml"] == pytest.approx(summary["igf1_final_ng_ml"])


def test_simulate_without_timeseries(client: httpx.Client) -> None:
    r = client.post(
        "/api/simulate", json={"scenario": {"days": 1}, "timeseries": {"variables": []}}
    )
    assert r.status_code == 200
    assert r.json()["timeseries"] is None


def test_compare_gives_differences_and_common_random_numbers(client: httpx.Client) -> None:
    base = {"days": 4, "subject": {"age_years": 35}}
    same = client.post("/api/compare", json={"baseline": base, "whatif": base, "seed": 9})
    assert same.status_code == 200, same.text
    assert all(v == 0 for v in same.json()["differences"].values())

    whatif = {**base, "diet": {"protein_g_per_kg": 0.5}}
    r = client.post("/api/compare", json={"baseline": base, "whatif": whatif, "seed": 9})
    body = r.json()
    a, b = body["baseline"]["summary"], body["whatif"]["summary"]
    assert body["differences"]["igf1_final_ng_ml"] == pytest.approx(
        b["igf1_final_ng_ml"] - a["igf1_final_ng_ml"]
    )
    assert body["whatif"]["scenario"]["diet"]["protein_g_per_kg"] == 0.5


def test_batch_and_its_caps(served: Callable[..., httpx.Client]) -> None:
    c = served(limits=Limits(max_subjects=3, max_subject_days=10))
    ok = c.post("/api/batch", json={"scenarios": [{"days": 2}, {"days": 3}], "seeds": [1, 2]})
    assert ok.status_code == 200, ok.text
    assert [len(x["daily"]["day"]) for x in ok.json()["results"]] == [2, 3]

    too_many = c.post("/api/batch", json={"scenarios": [{"days": 1}] * 4})
    assert too_many.status_code == 422 and fields(too_many) == ["scenarios"]
    assert "allowed 1-3" in too_many.json()["message"]

    too_long = c.post("/api/batch", json={"scenarios": [{"days": 6}, {"days": 6}]})
    assert too_long.status_code == 422 and "subject-days" in too_long.json()["message"]

    seeds = c.post("/api/batch", json={"scenarios": [{"days": 1}], "seeds": [1, 2]})
    assert seeds.status_code == 422 and fields(seeds) == ["seeds"]


# --- validation errors name the field, the value and the range ---------------------------------
def test_out_of_range_field_is_named_with_value_and_range(client: httpx.Client) -> None:
    r = client.post("/api/simulate", json={"scenario": {"subject": {"age_years": 150}}})
    assert r.status_code == 422
    assert fields(r) == ["scenario.subject.age_years"]
    message = r.json()["errors"][0]["message"]
    assert "150" in message and "18-90" in message


def test_errors_in_both_scenarios_and_request_fields(client: httpx.Client) -> None:
    r = client.post(
        "/api/compare",
        json={
            "baseline": {"subject": {"agee": 3}},
            "whatif": {"sleep": {"bedtime": "25:00"}},
            "timeseries": {"resolution_min": 0},
            "extra": 1,
        },
    )
    assert r.status_code == 422
    got = fields(r)
    assert "baseline.subject.agee" in got
    assert "whatif.sleep.bedtime" in got
    assert "timeseries.resolution_min" in got
    assert "extra" in got
    resolution = next(e for e in r.json()["errors"] if e["field"] == "timeseries.resolution_min")
    assert "= 0" in resolution["message"] and "1-1440" in resolution["message"]


def test_wrong_types_and_bad_json(client: httpx.Client) -> None:
    r = client.post("/api/simulate", json={"scenario": {"days": "many"}})
    assert r.status_code == 422 and fields(r) == ["scenario.days"]
    r = client.post(
        "/api/simulate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and fields(r) == ["body"]
    r = client.post("/api/simulate", json=[1, 2])
    assert r.status_code == 422


def test_server_caps_days_points_and_variables(client: httpx.Client) -> None:
    r = client.post("/api/simulate", json={"scenario": {"days": 400}})
    assert r.status_code == 422 and fields(r) == ["scenario.days"]
    assert "allowed 1-365" in r.json()["message"]

    r = client.post(
        "/api/simulate", json={"scenario": {"days": 365}, "timeseries": {"resolution_min": 5}}
    )
    assert r.status_code == 422 and fields(r) == ["timeseries.resolution_min"]

    r = client.post(
        "/api/simulate", json={"scenario": {"days": 2}, "timeseries": {"variables": ["gh", "nope"]}}
    )
    assert r.status_code == 422 and fields(r) == ["timeseries.variables[1]"]

    r = client.post(
        "/api/simulate", json={"scenario": {"days": 2}, "timeseries": {"end_hour": 100}}
    )
    assert r.status_code == 422 and fields(r) == ["timeseries.end_hour"]


def test_request_size_cap(client: httpx.Client) -> None:
    big = {"scenario": {"days": 1, "description": "x" * 1000}, "pad": "y" * 300_000}
    r = client.post("/api/simulate", json=big)
    assert r.status_code == 413 and fields(r) == ["body"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"scenario": {"description": "'
        for _ in range(400):
            yield b"z" * 1000
        yield b'"}}'

    r = client.post("/api/simulate", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_no_endpoint_reads_a_client_path(client: httpx.Client) -> None:
    for scenario in ("/etc/passwd", "scenario.yaml", "../../pyproject.toml"):
        r = client.post("/api/simulate", json={"scenario": scenario})
        assert r.status_code == 422, r.text
        assert "root:" not in r.text and "[project]" not in r.text
    schema = client.get("/openapi.json").json()
    text = str(schema).lower()
    assert "filename" not in text and "file_path" not in text


# --- long runs, busy server ------------------------------------------------------------------
def test_long_run_times_out_cleanly(served: Callable[..., httpx.Client]) -> None:
    c = served(limits=Limits(timeout_s=0.001))
    r = c.post("/api/simulate", json={"scenario": {"days": 365}, "timeseries": {"variables": []}})
    assert r.status_code == 408
    assert r.json()["error"] == "timeout"
    assert c.get("/api/info").status_code == 200  # the server still answers


def test_busy_server_answers_429(served: Callable[..., httpx.Client]) -> None:
    c = served(limits=Limits(max_inflight=0))
    r = c.post("/api/simulate", json={"scenario": {"days": 1}})
    assert r.status_code == 429 and r.json()["error"] == "busy"


# --- token and host ---------------------------------------------------------------------------
def test_token_required_on_every_api_call(served: Callable[..., httpx.Client]) -> None:
    c = served(token=TOKEN)
    assert c.get("/api/info").status_code == 401
    assert c.get("/api/info", headers={"Authorization": "Bearer wrong"}).status_code == 401
    r = c.post("/api/simulate", json={"scenario": {"days": 1}})
    assert r.status_code == 401 and fields(r) == ["Authorization"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    info = c.get("/api/info", headers=auth)
    assert info.status_code == 200 and info.json()["token_required"] is True
    assert c.post("/api/simulate", json={"scenario": {"days": 1}}, headers=auth).status_code == 200
    # the page itself holds no data; it asks for the token
    assert c.get("/").status_code == 200
    schema = c.get("/openapi.json").json()
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_without_token_only_loopback_host_names(client: httpx.Client) -> None:
    r = client.get("/api/info", headers={"Host": "attacker.example"})
    assert r.status_code == 400 and fields(r) == ["Host"]
    assert client.get("/api/info", headers={"Host": "localhost:8000"}).status_code == 200


def test_serve_command_refuses_public_address_without_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from somatosim.cli_serve import is_loopback, serve_command

    monkeypatch.delenv("SOMATOSIM_TOKEN", raising=False)
    with pytest.raises(InputError, match="needs a token"):
        serve_command(host="0.0.0.0", port=8000, token=None)
    with pytest.raises(InputError, match="too short"):
        serve_command(host="0.0.0.0", port=8000, token="abc")
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


# --- presets, SDS, parameters, citations -------------------------------------------------------
def test_presets(client: httpx.Client) -> None:
    listing = client.get("/api/presets").json()
    names = [p["name"] for p in listing]
    assert "demo" in names and all(p["summary"] for p in listing)
    one = client.get(f"/api/presets/{names[0]}").json()
    assert one["scenario"]["name"] == names[0]
    # a fetched preset runs as is
    r = client.post("/api/simulate", json={"scenario": {**one["scenario"], "days": 2}})
    assert r.status_code == 200, r.text
    missing = client.get("/api/presets/no-such-preset")
    assert missing.status_code == 404 and fields(missing) == ["name"]


def test_sds_matches_the_clinical_layer(client: httpx.Client) -> None:
    r = client.get("/api/sds", params={"igf1": 150, "age_years": 40, "sex": "female"})
    assert r.status_code == 200
    body = r.json()
    assert body["sds"] == pytest.approx(igf1_sds(150, 40, "female"))
    ref = default_reference()
    assert body["reference"]["p97_5"] == pytest.approx(ref.centile(97.5, 40, "female"))
    nmol = client.get(
        "/api/sds", params={"igf1": 20, "age_years": 40, "sex": "female", "units": "nmol/L"}
    ).json()
    assert nmol["sds"] == pytest.approx(igf1_sds(20, 40, "female", units="nmol/L"))
    bad = client.get("/api/sds", params={"igf1": -1, "age_years": 10, "sex": "other"})
    assert bad.status_code == 422
    assert set(fields(bad)) == {"igf1", "age_years", "sex"}
    assert "18-100" in bad.json()["message"]


def test_parameters_and_citations(client: httpx.Client) -> None:
    params = client.get("/api/parameters").json()
    assert len(params) == len(PARAMETERS)
    first = params[0]
    assert {"name", "value", "unit", "lower", "upper", "source", "mechanism"} <= set(first)
    everything = client.get("/api/citations").json()
    assert len(everything) == len(somatosim.citation())
    scenario = {"days": 3, "therapy": [{"dose_mg": 0.3}]}
    cited = client.post("/api/scenario-citations", json={"scenario": scenario}).json()
    assert [c["key"] for c in cited] == [r.key for r in somatosim.citation(scenario)]


# --- pulse analysis ----------------------------------------------------------------------------
def test_pulse_analysis_of_an_uploaded_series(client: httpx.Client) -> None:
    lib = somatosim.simulate({"days": 2, "seed": 4}, save_every_min=10).timeseries
    night = lib.sel(hours=slice(36, 48 - 1e-6))
    minutes = ((night["hours"].to_numpy() - 36) * 60).tolist()
    gh = night["gh"].to_numpy().tolist()
    r = client.post("/api/pulses", json={"times_min": minutes, "concentration": gh})
    if r.status_code == 501:
        pytest.fail("pulse analysis is not available: " + r.text)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["n_bursts"] >= 1
    assert 5 < body["halflife_min"] < 60
    assert len(body["fitted"]) == len(minutes)
    assert "halflife" in [e["quantity"] for e in body["estimates"]]

    mismatch = client.post("/api/pulses", json={"times_min": minutes, "concentration": gh[:-1]})
    assert mismatch.status_code == 422 and fields(mismatch) == ["concentration"]
    unsorted = client.post("/api/pulses", json={"times_min": minutes[::-1], "concentration": gh})
    assert unsorted.status_code == 422 and fields(unsorted) == ["times_min"]
    many = list(range(2001))
    capped = client.post("/api/pulses", json={"times_min": many, "concentration": many})
    assert capped.status_code == 422 and fields(capped) == ["times_min"]


# --- downloads ---------------------------------------------------------------------------------
def test_downloads_csv_and_html(client: httpx.Client) -> None:
    req = {"scenario": {"name": "my run", "days": 3}, "seed": 1}
    csv = client.post("/api/export/daily.csv", json=req)
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert 'filename="my-run-daily.csv"' in csv.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(csv.text))
    assert len(table) == 3 and "igf1_sds" in table.columns

    pair = {"baseline": {"days": 2}, "whatif": {"days": 2, "sleep": {"hours": 5}}}
    both = pd.read_csv(io.StringIO(client.post("/api/export/compare.csv", json=pair).text))
    assert list(both["scenario"]) == ["baseline"] * 2 + ["whatif"] * 2

    html = client.post("/api/export/report.html", json=req)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<html" in html.text.lower() and "my run" in html.text
    compare = client.post("/api/export/compare.html", json=pair)
    assert compare.status_code == 200 and "what-if" in compare.text


# --- the page and its assets -------------------------------------------------------------------
def test_page_and_local_plotly(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'src="/vendor/plotly.min.js"' in page.text
    assert "https://" not in page.text.split("<body")[0]  # nothing loaded from the internet
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and "plotly.js" in js.text[:200]
    assert len(js.content) > 1_000_000
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200
    headers = page.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in headers["content-security-policy"]


def test_unknown_route_and_method_are_json(client: httpx.Client) -> None:
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["error"] == "http_error"
    r = client.delete("/api/presets")
    assert r.status_code == 405 and "GET" in r.headers["allow"]


def test_results_are_finite_json(client: httpx.Client) -> None:
    r = client.post("/api/simulate", json={"scenario": {"days": 2, "subject": {"gh_reserve": 0}}})
    assert r.status_code == 200, r.text
    for v in r.json()["summary"].values():
        assert not (isinstance(v, float) and not math.isfinite(v))
