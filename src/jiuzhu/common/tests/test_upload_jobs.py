"""Uploads are streamed to disk and read by the background worker: the request answers at once
(202 or on to the job's page) and writes nothing to the tables the file is for; a file over
the cap is refused with ``upload_too_large`` and leaves nothing behind."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.common import clock, jobs, uploads
from jiuzhu.common.models import Job
from jiuzhu.registry.testing import make_id
from jiuzhu.screening.models import DepartmentList, DepartmentListRow
from jiuzhu.verification.models import DatasetUpload, SourceRecord
from jiuzhu.verification.sources import catalogue


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def bank_provider(staff):
    return staff("data_provider", catalogue().get("banks").unit)


@pytest.fixture
def civil(staff):
    return staff("department_officer", "civil_affairs")


def _kept_files() -> list:
    return sorted(p for p in uploads.folder().iterdir())


def test_a_100_mb_dataset_is_accepted_with_202_and_only_read_by_the_worker(client, bank_provider, tmp_path):
    line = f"王某某,{make_id(date(1950, 1, 1))},工商银行,12345.67,2026-01-01\n"
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("客户姓名,客户证件号码,金融机构,余额,余额日期\n")
        f.write(line * (100 * 1024 * 1024 // len(line.encode())))
    size = path.stat().st_size
    assert size >= 100 * 1000 * 1000
    client.force_login(bank_provider)
    with path.open("rb") as f:
        r = client.post(
            "/api/verification/datasets",
            {"file": f, "source": "banks", "as_of": clock.today().isoformat()},
        )
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["state"] == "queued" and body["url"] == f"/api/jobs/{body['job_id']}"
    # Nothing parsed or written for the dataset: the file waits, whole, for the worker.
    assert not DatasetUpload.objects.exists() and not SourceRecord.objects.exists()
    job = Job.objects.get(pk=body["job_id"])
    assert job.kind == "verification.dataset_validate" and job.params["filename"] == "big.csv"
    assert uploads.path_of(job.params["kept"]).stat().st_size == size
    assert client.get(body["url"]).json()["state"] == "queued"


def test_a_department_list_over_the_cap_is_refused_and_nothing_kept(client, civil, settings):
    settings.JIUZHU_UPLOAD_MAX_MB = 1
    client.force_login(civil)
    big = SimpleUploadedFile("名单.csv", b"x" * (2 * 1024 * 1024))
    r = client.post("/screening/lists/", {"kind": "elderly_alone", "file": big})
    assert r.status_code == 413 and "1 MB" in r.content.decode()
    assert not Job.objects.exists() and not DepartmentList.objects.exists()
    assert not uploads.folder().exists() or not _kept_files()


def test_a_file_streamed_past_the_cap_is_refused_while_kept(civil, settings):
    """No declared length (a chunked request): the cap is enforced while streaming to disk."""
    settings.JIUZHU_UPLOAD_MAX_MB = 1
    f = SimpleUploadedFile("名单.csv", b"x" * (2 * 1024 * 1024))
    f.size = None
    with pytest.raises(uploads.UploadTooLarge):
        uploads.queue(f, kind="screening.list_validate", actor=civil, list_kind="elderly_alone")
    assert not Job.objects.exists() and not _kept_files()


def test_a_department_list_is_read_by_the_worker_and_the_job_links_to_its_report(client, civil):
    ok = make_id(date(1945, 1, 1))
    csv = f"姓名,身份证号码,出生日期\n何独居,{ok},1945-01-01\n吕缺号,,\n未来人,,2099-01-01\n".encode()
    client.force_login(civil)
    r = client.post("/screening/lists/", {"kind": "elderly_alone", "file": SimpleUploadedFile("l.csv", csv)})
    assert r.status_code == 302 and not DepartmentList.objects.exists()
    assert jobs.work_off() == 1
    page = client.get(r["Location"]).content.decode()
    assert "有效 1 行，无效 2 行" in page
    dl = DepartmentList.objects.get()
    assert f"/screening/lists/?report={dl.pk}" in page and not DepartmentListRow.objects.exists()
    assert not _kept_files()  # the list keeps what it needs; the upload is gone
    report = client.get(f"/screening/lists/?report={dl.pk}").content.decode()
    assert "身份证号码和出生日期至少填一项" in report and "晚于今天" in report
    r = client.post(f"/screening/lists/{dl.pk}/apply/", follow=True)  # the checks apply needs: refused
    assert "2行无效" in r.content.decode() and not DepartmentListRow.objects.exists()


def test_a_bad_list_kind_is_refused_in_the_request_and_nothing_kept(client, civil):
    client.force_login(civil)
    r = client.post(
        "/screening/lists/", {"kind": "nope", "file": SimpleUploadedFile("l.csv", b"a")}, follow=True
    )
    assert "未知的名单类型" in r.content.decode()
    assert not Job.objects.exists() and (not uploads.folder().exists() or not _kept_files())


def test_a_dataset_for_a_source_the_caller_does_not_provide_is_403_and_nothing_kept(client, staff):
    client.force_login(staff("data_provider", "tax"))  # banks are the financial regulator's
    r = client.post(
        "/api/verification/datasets",
        {"file": io.BytesIO(b"a,b\n1,2\n"), "source": "banks", "as_of": clock.today().isoformat()},
    )
    assert r.status_code == 403 and r.json()["code"] == "out_of_scope"
    assert not Job.objects.exists()
