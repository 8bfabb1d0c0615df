"""The bank return file through the API as a background job: the request answers 202 and
applies nothing; the worker checks and applies it (a mismatch fails the job with the differing
lines, kept for the roll page); the same file twice changes nothing; what needs no file (roll
state, who may import) and a file over the cap are refused in the request with nothing kept."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.common import jobs, uploads
from jiuzhu.common.models import Job
from jiuzhu.payments import bankfiles, services
from jiuzhu.payments.models import LedgerEntry, PaymentLine, PaymentRoll, RollEvent

MARCH = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def _roll(grant, actors, *, export=True) -> PaymentRoll:
    grant("吕三", "950")
    grant("施四", "800")
    services.rolls_generate(month=MARCH)
    roll = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    services.roll_review(actor=actors["payments"], roll=roll)
    services.roll_approve(actor=actors["approver"], roll=roll)
    if export:
        bankfiles.roll_export(actor=actors["approver"], roll=roll)
    roll.refresh_from_db()
    return roll


def _post(client, roll, data: bytes, name="回盘.csv"):
    return client.post(f"/api/payments/rolls/{roll.pk}/return", {"file": SimpleUploadedFile(name, data)})


def _nothing_applied(roll) -> bool:
    roll.refresh_from_db()
    return (
        roll.state == PaymentRoll.EXPORTED
        and not roll.lines.exclude(state=PaymentLine.PENDING).exists()
        and not LedgerEntry.objects.filter(line__roll=roll).exists()
    )


def test_api_answers_202_and_the_job_applies_the_file_once(client, grant, actors):
    roll = _roll(grant, actors)
    client.force_login(actors["payments"])
    failed = roll.lines.get(amount=Decimal("800.00"))
    good = bankfiles.return_template(roll, {failed.pk: "账户已销户"})

    # a file that differs from the roll: the job fails with the lines, nothing applied
    r = _post(client, roll, good.replace(b"800.00", b"880.00"))
    assert r.status_code == 202, r.content
    assert _nothing_applied(roll)
    assert jobs.work_off() == 1
    job = client.get(r.json()["url"]).json()
    assert job["state"] == "failed" and job["error"]["code"] == "return_mismatch"
    kept = Job.objects.get(pk=job["id"]).error  # the differing lines, on the job's record
    assert [d["problem"] for d in kept["differences"]] == ["金额不符"]
    assert kept["url"] == f"/payments/roll/{roll.pk}/"
    assert _nothing_applied(roll)
    assert "金额不符" in client.get(f"/payments/roll/{roll.pk}/").content.decode()

    # the right file: 202, nothing applied until the worker runs it
    r = _post(client, roll, good)
    body = r.json()
    assert r.status_code == 202 and body["state"] == "queued" and body["url"] == f"/api/jobs/{body['job_id']}"
    assert body["page"] == f"/jobs/{body['job_id']}/"
    assert _nothing_applied(roll) and len(list(uploads.folder().iterdir())) == 1
    assert jobs.work_off() == 1
    job = client.get(body["url"]).json()
    assert job["state"] == "done", job
    assert (job["result"]["paid"], job["result"]["failed"], job["result"]["paid_total"]) == (1, 1, "950.00")
    assert job["result"]["url"] == f"/payments/roll/{roll.pk}/"
    assert not list(uploads.folder().iterdir())  # the kept file is gone once read
    roll.refresh_from_db()
    failed.refresh_from_db()
    assert roll.state == PaymentRoll.CLOSED and failed.fail_reason == "账户已销户"
    assert LedgerEntry.objects.filter(line__roll=roll).count() == 1
    page = client.get(f"/payments/roll/{roll.pk}/").content.decode()
    assert "成功 1 笔 950.00 元" in page and "金额不符" not in page

    # the same file again: the same result, nothing changes; another file is refused by the job
    r = _post(client, roll, good)
    assert r.status_code == 202 and jobs.work_off() == 1
    again = client.get(r.json()["url"]).json()
    assert again["state"] == "done" and again["result"] == job["result"]
    assert LedgerEntry.objects.filter(line__roll=roll).count() == 1
    assert RollEvent.objects.filter(roll=roll, kind="returned").count() == 1
    r = _post(client, roll, bankfiles.return_template(roll))
    assert jobs.work_off() == 1
    assert client.get(r.json()["url"]).json()["error"]["code"] == "already_reconciled"
    failed.refresh_from_db()
    assert failed.state == PaymentLine.FAILED


def test_the_job_api_gives_the_differing_lines_as_documented(client, grant, actors):
    """A client polling ``GET /api/jobs/{id}`` reads the refused file's lines (the roll page shows
    the same), each in the documented ``JobErrorLineOut`` shape; a line missing from the file
    names no row."""
    roll = _roll(grant, actors)
    client.force_login(actors["payments"])
    good = bankfiles.return_template(roll).decode("utf-8-sig").splitlines()
    short = next(x for x in good if "800.00" in x)
    data = "\n".join(x.replace("950.00", "95.00") for x in good if x != short).encode()
    r = _post(client, roll, data)
    assert jobs.work_off() == 1
    error = client.get(r.json()["url"]).json()["error"]
    assert error["code"] == "return_mismatch" and error["count"] == 2
    assert error["url"] == f"/payments/roll/{roll.pk}/" and error["link"] == "返回发放名册"
    wrong, missing = error["differences"]
    assert (wrong["problem"], wrong["expected"], wrong["got"], wrong["row"]) == (
        "金额不符",
        "950.00",
        "95.00",
        2,
    )
    assert (missing["problem"], missing["row"], missing["expected"]) == ("回盘文件缺少该笔", None, "800.00")
    assert missing["line"] == str(roll.lines.get(amount=Decimal("800.00")).pk)

    doc = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert doc["JobErrorOut"]["properties"]["differences"]["anyOf"][0]["items"]["$ref"].endswith(
        "/JobErrorLineOut"
    )
    documented = set(doc["JobErrorLineOut"]["properties"])
    assert set(wrong) <= documented and set(missing) <= documented
    assert _nothing_applied(roll)


def test_refused_in_the_request_with_nothing_kept(client, grant, actors, settings):
    roll = _roll(grant, actors, export=False)
    data = b"\xe6\x89\xb9\xe6\xac\xa1\xe5\x8f\xb7\n"
    client.force_login(actors["payments"])
    r = _post(client, roll, data)
    assert r.status_code == 409 and r.json()["code"] == "not_exported"
    client.force_login(actors["caseworker"])
    r = _post(client, roll, data)
    assert r.status_code == 403
    client.force_login(actors["payments"])
    assert (
        client.post(
            "/api/payments/rolls/999999/return", {"file": SimpleUploadedFile("r.csv", data)}
        ).status_code
        == 404
    )

    bankfiles.roll_export(actor=actors["approver"], roll=roll)
    r = _post(client, roll, data, name="回盘.txt")
    assert r.status_code == 400 and r.json()["code"] == "file_type"
    settings.JIUZHU_UPLOAD_MAX_MB = 1
    r = _post(client, roll, bankfiles.return_template(roll) + b"\n" * (1024 * 1024))
    assert r.status_code == 413 and r.json()["code"] == "upload_too_large"
    assert not Job.objects.exists() and not list(uploads.folder().iterdir())
    assert _nothing_applied(roll)
