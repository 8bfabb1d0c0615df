"""Row ids beyond what the database holds (2^63 and above) are refused as a 422 in the error shape
before any query, instead of SQLite's OverflowError (a 500); an id within range that names nothing
is a 404. Every integer path parameter is the one bounded type ``jiuzhu.common.values.Id``."""

from __future__ import annotations

import pytest

from jiuzhu.common.values import ID_MAX

pytestmark = pytest.mark.django_db

TOO_BIG = ID_MAX + 1


def test_every_integer_path_parameter_is_bounded(client):
    doc = client.get("/api/openapi.json").json()
    seen = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                if param["in"] == "path" and schema.get("type") == "integer":
                    seen.append(f"{method} {path} {param['name']}")
                    assert (schema.get("minimum"), schema.get("maximum")) == (1, ID_MAX), seen[-1]
    assert len(seen) > 50  # the whole API, not a few operations


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("admin", "/api/decisions/cases/{}"),
        ("admin", "/api/screening/alerts/{}"),
        ("admin", "/api/jobs/{}"),
        ("admin", "/api/intake/referrals/{}"),
        ("admin", "/api/verification/reports/{}"),
        ("admin", "/api/charity/referrals/{}"),
        ("admin", "/api/caseload/changes/{}"),
    ],
)
def test_an_id_beyond_the_database_is_a_422_and_within_it_a_404(client, staff, role, path):
    client.force_login(staff(role))
    r = client.get(path.format(TOO_BIG))
    assert r.status_code == 422, r.content[:300]
    body = r.json()
    assert {"code", "field", "message", "request_id"} <= set(body)
    assert body["field"] in ("pk", "job_id", "ref_id", "report_id", "change_id")
    assert body["message"] == f"编号应为 1 至 {ID_MAX} 之间的整数"
    assert body["errors"][0]["type"] == "id_out_of_range"
    r = client.get(path.format(ID_MAX))
    assert r.status_code in (403, 404), r.content[:300]
    assert {"code", "message", "request_id"} <= set(r.json())


def test_an_id_beyond_the_database_in_a_body_is_a_422_and_nothing_is_written(client, staff):
    from jiuzhu.decisions.models import Case

    client.force_login(staff("admin"))
    r = client.post("/api/decisions/cases", {"referral_id": TOO_BIG}, content_type="application/json")
    assert r.status_code == 422, r.content[:300]
    assert r.json()["field"].endswith("referral_id")
    assert not Case.objects.exists()
