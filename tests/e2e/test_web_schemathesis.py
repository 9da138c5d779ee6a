"""Property-based API test: schemathesis generates requests from the OpenAPI description
(valid and invalid ones); no answer may be a 5xx, and every error has the JSON error shape
``{error, message, errors: [{field, message}]}``."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from somatosim.web import Limits, create_app

# Small caps keep generated simulations quick; the caps themselves are part of what is tested.
APP = create_app(
    limits=Limits(max_days=60, max_subjects=4, max_subject_days=120, max_samples=300, timeout_s=30)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

pytestmark = pytest.mark.e2e


REPORTS = r"^/api/export/.*\.html$"  # matplotlib reports: slower, so fewer examples
fast = schema.exclude(path_regex=REPORTS)
reports = schema.include(path_regex=REPORTS)


def check(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert {"error", "message", "errors"} <= set(body), body


@fast.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_with_a_server_error(case: Any) -> None:
    check(case)


@reports.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_report_downloads_never_answer_with_a_server_error(case: Any) -> None:
    check(case)
