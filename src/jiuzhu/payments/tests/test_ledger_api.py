"""The ledger export through the API: the same job as the ledger page's buttons (202, poll, the
file to its starter), refused in the request with nothing queued."""

import pytest

from jiuzhu.common import jobs
from jiuzhu.common.models import Job
from jiuzhu.payments import reports

from .test_ledger_job import _sheets, own_data_dir, paid  # noqa: F401  (fixtures)


def test_the_api_queues_the_ledger_and_hands_its_file_to_the_starter(client, paid, actors, staff):  # noqa: F811
    expected = _sheets(reports.ledger_xlsx(2026))
    client.force_login(actors["caseworker"])
    r = client.post(
        "/api/payments/ledger/export", {"year": 2026, "fmt": "xlsx"}, content_type="application/json"
    )
    assert r.status_code == 202
    job = Job.objects.get(kind="payments.ledger_export")
    assert r.json() == {
        "job_id": job.pk,
        "state": "queued",
        "url": f"/api/jobs/{job.pk}",
        "page": f"/jobs/{job.pk}/",
    }
    assert jobs.work_off() == 1
    assert client.get(r.json()["url"]).json()["result"]["file"]["name"] == "资金台账-2026.xlsx"
    assert _sheets(client.get(f"/api/jobs/{job.pk}/file").content) == expected

    client.force_login(staff("supervisor"))  # reads everything, changes nothing, may have a file built
    r = client.post(
        "/api/payments/ledger/export", {"year": 2026, "fmt": "pdf"}, content_type="application/json"
    )
    assert r.status_code == 202


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"year": 1900, "fmt": "xlsx"}, 400, "year"),
        ({"year": 2026, "fmt": "doc"}, 422, "fmt"),
    ],
)
def test_bad_bodies_are_refused_with_their_field_and_nothing_queued(client, actors, body, status, field):
    client.force_login(actors["caseworker"])
    r = client.post("/api/payments/ledger/export", body, content_type="application/json")
    assert r.status_code == status
    out = r.json()
    assert field in (out.get("field") or "") or field in str(out.get("errors"))
    assert not Job.objects.exists()


def test_a_role_that_does_not_read_payments_is_refused(client, staff):
    client.force_login(staff("window_clerk"))
    r = client.post(
        "/api/payments/ledger/export", {"year": 2026, "fmt": "xlsx"}, content_type="application/json"
    )
    assert r.status_code == 403
    assert not Job.objects.exists()
