"""The API's contract as a client sees it: one component per schema, one error shape with the request
id for every 4xx/5xx, a JSON 500 with its traceback in the log, and a health check that tells a
stranger nothing about the database."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from jiuzhu.common import clock
from jiuzhu.config.api import api

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "field", "message", "request_id"}


def _doc(client):
    return client.get("/api/openapi.json").json()


def _component(doc, ref):
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _body_schema(doc, path, method="post"):
    body = doc["paths"][path][method]["requestBody"]["content"]
    return _component(doc, next(iter(body.values()))["schema"]["$ref"])


def test_evaluate_is_documented_with_the_eligibility_household(client):
    doc = _doc(client)
    evaluate = _body_schema(doc, "/api/eligibility/evaluate")
    household = _component(doc, evaluate["properties"]["household"]["$ref"])
    member = _component(doc, household["properties"]["members"]["items"]["$ref"])
    assert {"age", "income", "labour_capacity"} <= set(member["properties"])
    assert {"assets", "dibao_status"} <= set(household["properties"])
    # the registry's household, a different schema, keeps its own name
    assert "address" in doc["components"]["schemas"]["RegistryHouseholdIn"]["properties"]
    assert "address" not in household["properties"]


def test_every_body_is_documented_with_its_own_model(client):
    """The component a request body points to has exactly the fields of the model the view reads."""
    doc = _doc(client)
    checked = 0
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                bodies = [m for m in op.models if m.__ninja_param_source__ == "body"]
                if len(bodies) != 1 or len(bodies[0].model_fields) != 1:
                    continue
                model = next(iter(bodies[0].model_fields.values())).annotation
                full = re.sub(r"/+", "/", f"/api/{prefix}/{path}")
                full = re.sub(r"{[^}:]+:", "{", full)
                documented = doc["paths"].get(full, {}).get(op.methods[0].lower())
                if documented is None:
                    continue
                schema = _body_schema(doc, full, op.methods[0].lower())
                assert set(schema["properties"]) == set(model.model_json_schema()["properties"]), full
                checked += 1
    assert checked > 20


def test_a_client_posting_what_the_document_says_is_answered(client):
    doc = _doc(client)
    member = "PolicyMemberIn"
    assert "age" in doc["components"]["schemas"][member]["properties"]
    body = {"as_of": clock.today().isoformat(), "household": {"area": "urban", "members": [{"age": 40}]}}
    r = client.post("/api/eligibility/evaluate", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["results"]


def test_every_operation_documents_its_errors_in_the_one_shape(client):
    doc = _doc(client)
    error = doc["components"]["schemas"]["ErrorOut"]
    assert ERROR_KEYS <= set(error["required"])
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            codes = {int(c) for c in op["responses"]}
            assert 500 in codes, (method, path)
            if op.get("security"):
                assert {401, 403} <= codes, (method, path)
            if op.get("parameters") or op.get("requestBody"):
                assert 422 in codes, (method, path)
            for code, response in op["responses"].items():
                if int(code) >= 400:
                    assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert ERROR_KEYS <= set(body), body
    assert body["code"] == code
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_unknown_path_and_method_answer_json(client):
    _error(client.get("/api/no/such/thing"), 404, "not_found")
    r = client.delete("/api/health")
    _error(r, 405, "method_not_allowed")
    assert "GET" in r["Allow"]


def test_csrf_failure_is_the_error_shape(staff):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff("admin"))
    r = browser.post(
        "/api/screening/alerts/1/resolve", {"status": "confirmed"}, content_type="application/json"
    )
    _error(r, 403, "csrf_failed")


def test_unparsable_body_and_invalid_parameters(client):
    r = client.post("/api/eligibility/evaluate", "{not json", content_type="application/json")
    _error(r, 400, "malformed_body")
    r = client.post("/api/eligibility/evaluate", {"as_of": "x"}, content_type="application/json")
    body = _error(r, 422, "invalid_request")
    assert {e["field"] for e in body["errors"]} >= {"as_of", "household"}


@pytest.mark.parametrize("raw", ["%00", "a%01b", "%7F", "%C2%85"])
def test_control_characters_in_parameters_are_422_before_the_database(as_admin, raw):
    body = _error(as_admin.get(f"/api/registry/households?q={raw}"), 422, "control_character")
    assert body["field"] == "q"
    _error(as_admin.get(f"/api/registry/households/{raw}"), 422, "control_character")


@pytest.fixture
def as_admin(staff):
    c = Client()
    c.force_login(staff("admin"))
    return c


def test_request_id_is_kept_when_sane_and_made_otherwise(client):
    assert client.get("/api/health", HTTP_X_REQUEST_ID="abc-123-def-456")["X-Request-ID"] == "abc-123-def-456"
    made = client.get("/api/health", HTTP_X_REQUEST_ID="x\ny")["X-Request-ID"]
    assert len(made) == 32 and made != "x\ny"
    assert client.get("/")["X-Request-ID"]


def test_server_error_is_json_and_logged_with_traceback(rf: RequestFactory):
    log = settings.LOG_DIR / "jiuzhu.log"
    start = log.stat().st_size if log.exists() else 0
    request = rf.get("/api/anything")
    request.request_id = "req-test-500-0001"
    try:
        raise RuntimeError("boom in a view")
    except RuntimeError as exc:
        response = api.on_exception(request, exc)
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["code"] == "server_error" and body["request_id"] == "req-test-500-0001"
    assert "boom" not in body["message"]
    with log.open("rb") as f:
        f.seek(start)
        lines = [json.loads(line) for line in f.read().decode().splitlines()]
    logged = [e for e in lines if e["request_id"] == "req-test-500-0001"]
    assert logged and logged[-1]["level"] == "ERROR"
    assert "RuntimeError: boom in a view" in logged[-1]["traceback"]


def test_health_tells_a_stranger_nothing_about_the_database(client, as_admin):
    assert client.get("/api/health").json() == {"status": "ok"}
    assert as_admin.get("/api/health").json()["vendor"] in ("sqlite", "postgresql")


@pytest.mark.parametrize(
    "url",
    [
        "/api/intake/applications?limit=-5",
        "/api/intake/applications?limit=0",
        "/api/intake/applications?limit=100000",
        "/api/screening/alerts?limit=-1",
        "/api/screening/alerts?limit=5000",
        "/api/screening/alerts?unit=" + "x" * 41,
    ],
)
def test_limits_out_of_bounds_are_422(as_admin, url):
    body = _error(as_admin.get(url), 422, "invalid_request")
    assert body["field"] in ("limit", "unit")


@pytest.mark.parametrize("name", ["upload.zip", "upload.xlsx"])
def test_a_forged_zip_upload_is_refused_not_a_crash(as_admin, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiuzhu.caseload.models import ImportBatch
    from jiuzhu.common import jobs

    upload = SimpleUploadedFile(name, b"PK\x03\x04\r\n")
    r = as_admin.post("/api/caseload/imports", {"file": upload})
    assert r.status_code == 202  # read by the worker, which refuses it
    assert jobs.work_off() == 1
    job = as_admin.get(r.json()["url"]).json()
    assert job["state"] == "failed" and (job["error"]["code"], job["error"]["field"]) == (
        "file_unreadable",
        "file",
    )
    assert not ImportBatch.objects.exists()


def test_idempotency_key_errors_are_422_in_the_error_shape(as_admin):
    from jiuzhu.common.models import IdempotentResponse

    def post(body, key):
        return as_admin.post(
            "/api/registry/households", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )

    body = _error(post({}, "k" * 101), 422, "invalid_idempotency_key")
    assert body["field"] == "Idempotency-Key" and "100" in body["message"]
    _error(post({}, "k\x7f1"), 422, "invalid_idempotency_key")
    assert not IdempotentResponse.objects.exists()
    post({}, "key-1")  # refused by validation, and that answer is kept for the key
    body = _error(post({"town": "x"}, "key-1"), 422, "idempotency_key_reused")
    assert body["field"] == "Idempotency-Key"
    assert IdempotentResponse.objects.count() == 1


@pytest.mark.parametrize(
    "url, field, reason",
    [
        ("/api/payments/rolls?month=5404-03", "month", "month_out_of_range"),
        ("/api/payments/rolls?month=2026-3-15", "month", "invalid_month"),
        ("/api/intake/results?month=1900-01", "month", "month_out_of_range"),
        ("/api/payments/ledger?year=5404", "year", "year_out_of_range"),
        ("/api/payments/ledger?year=2026&by=nonsense", "by", "literal_error"),
        ("/api/payments/public?year=-1", "year", "year_out_of_range"),
        ("/api/supervision/meetings?year=99999", "year", "year_out_of_range"),
        ("/api/intake/deadlines?scope=everything", "scope", "literal_error"),
        ("/api/decisions/kpi?start=2026-01-01&end=9999-12-31", "end", "date_out_of_range"),
        ("/api/screening/kpi?start=0001-01-01&end=2026-01-31", "start", "date_out_of_range"),
        ("/api/supervision/kpi?start=2026-02-30&end=2026-03-01", "start", "invalid_date"),
        ("/api/performance/kpis?start=3000-01-01", "start", "date_out_of_range"),
        ("/api/charity/volunteers/summary?end=1800-01-01", "end", "date_out_of_range"),
        ("/api/supervision/audit/search?start=2999-01-01", "start", "date_out_of_range"),
        ("/api/supervision/audit/search?name=" + "张" * 51, "name", "string_too_long"),
    ],
)
def test_parameters_out_of_bounds_are_422_with_the_reason(as_admin, url, field, reason):
    body = _error(as_admin.get(url), 422, "invalid_request")
    assert body["field"] == field
    assert body["errors"][0]["type"] == reason
    assert body["message"]


def test_parameters_within_the_window_are_answered(as_admin):
    from jiuzhu.common import values

    this_month = values.today().replace(day=1)
    for url in (
        f"/api/payments/rolls?month={this_month:%Y-%m}",
        f"/api/payments/rolls?month={this_month.isoformat()}",
        f"/api/payments/ledger?year={this_month.year}&by=town",
        f"/api/decisions/kpi?start={this_month.replace(month=1).isoformat()}&end={this_month.isoformat()}",
        "/api/intake/deadlines?scope=all",
    ):
        assert as_admin.get(url).status_code == 200, url


def test_rolls_for_month_5404_03_are_refused_and_nothing_written(as_admin):
    from jiuzhu.payments.models import PaymentRoll

    r = as_admin.post("/api/payments/rolls/generate", {"month": "5404-03"}, content_type="application/json")
    body = _error(r, 422, "invalid_request")
    assert body["field"] == "month" and body["errors"][0]["type"] == "month_out_of_range"
    assert "5404-03" in body["message"]
    assert not PaymentRoll.objects.exists()


def test_the_document_states_each_window(client):
    from jiuzhu.common import values

    doc = _doc(client)
    first, last = values.month_window()
    month = doc["paths"]["/api/payments/rolls"]["get"]["parameters"][0]["schema"]
    assert re.match(month["pattern"], f"{first:%Y-%m}") and re.match(month["pattern"], f"{last:%Y-%m}")
    assert not re.match(month["pattern"], "5404-03")
    year = doc["paths"]["/api/payments/ledger"]["get"]["parameters"][0]["schema"]
    assert (year["minimum"], year["maximum"]) == (first.year, last.year)
    scope = doc["paths"]["/api/intake/deadlines"]["get"]["parameters"][0]["schema"]
    assert scope["enum"] == ["unit", "window", "all"]
    assert values.WINDOW_KEY not in json.dumps(doc)
