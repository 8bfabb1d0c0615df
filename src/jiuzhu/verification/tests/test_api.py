"""The JSON API: upload → report → apply; a request refused with authorisation_missing; a
report read per role."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiuzhu.common import clock, jobs
from jiuzhu.intake import services as intake
from jiuzhu.verification import testing
from jiuzhu.verification.models import DatasetUpload

from .conftest import TODAY, stranger_rows


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_upload_apply_request_and_report(worked, clerk, officer, provider_of, staff, all_datasets):
    p = client_for(provider_of("banks"))
    data = testing.csv_bytes(
        "banks",
        stranger_rows("banks")
        + [{"name": "", "institution": "x", "balance": "1", "balance_date": "2026-01-01"}],
    )
    r = p.post(
        "/api/verification/datasets",
        {"file": SimpleUploadedFile("b.csv", data), "source": "banks", "as_of": "2026-03-01"},
    )
    assert r.status_code == 202, r.content
    assert r.json()["url"] == f"/api/jobs/{r.json()['job_id']}"
    assert not DatasetUpload.objects.exists()  # validated by the worker, not in the request
    assert jobs.work_off() == 1
    job = p.get(r.json()["url"]).json()
    assert job["state"] == "done", job
    up = p.get(job["result"]["api"]).json()
    assert (up["rows_bad"], up["errors"][0]["row"], up["errors"][0]["code"]) == (1, 3, "missing_person_key")
    r = p.post(
        f"/api/verification/datasets/{up['id']}/apply",
        {"mode": "quarantine"},
        content_type="application/json",
    )
    assert r.status_code == 202, r.content
    again = p.post(
        f"/api/verification/datasets/{up['id']}/apply",
        {"mode": "quarantine"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "upload_applying"  # one load per upload
    assert p.get(f"/api/verification/datasets/{up['id']}").json()["version"] is None  # not loaded yet
    assert jobs.work_off() == 1
    assert "隔离 1 行" in p.get(r.json()["url"]).json()["result"]["summary"]
    assert p.get(f"/api/verification/datasets/{up['id']}").json()["version"] == {
        "number": 1,
        "rows": 1,
        "quarantined": 1,
    }
    r = client_for(staff("data_provider", "tax")).get(f"/api/verification/datasets/{up['id']}")
    assert r.status_code == 403 and r.json()["code"] == "out_of_scope"

    all_datasets(as_of=clock.today())  # the API asks as of today
    c = client_for(clerk)
    intake.application_create(
        actor=clerk, household=worked, needs=["living"], today=TODAY
    )  # the window's case
    body = {"household": worked.code, "service": "dibao"}
    r = c.post("/api/verification/requests", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "authorisation_missing"
    assert len(r.json()["members"]) == 3
    testing.authorise(worked, clerk, on=TODAY)
    r = c.post("/api/verification/requests", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["state"] == "ready", r.content
    req_id = r.json()["id"]
    o = client_for(officer)
    r = o.post(f"/api/verification/requests/{req_id}/report")
    assert r.status_code == 201
    rep = r.json()["id"]
    assert o.get(f"/api/verification/reports/{rep}?purpose=审核").json()["detail"] is True
    other = client_for(staff("supervisor")).get(f"/api/verification/reports/{rep}")
    assert other.json()["detail"] is False and "members" not in other.json()["content"]
    # a department that is not handling this household's dibao reads nothing
    r = client_for(staff("department_officer", "education")).get(f"/api/verification/reports/{rep}")
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    r = o.get(f"/api/verification/reports/{rep}/export.csv")
    assert r.status_code == 200 and "张建国" in r.content.decode("utf-8-sig")
    assert client_for(clerk).get("/api/verification/reviews").status_code == 403
