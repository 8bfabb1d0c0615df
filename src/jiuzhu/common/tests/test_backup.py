"""``jiuzhu backup`` / ``jiuzhu restore``: a round trip gives back the same rows, the data
directory's files and a bank account that still decrypts; a damaged backup or a non-empty
target is refused. Runs on whichever database the suite runs on (SQLite and PostgreSQL)."""

import io
import json
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from jiuzhu.common import backup
from jiuzhu.common.errors import Conflict, ValidationFailed
from jiuzhu.intake import documents
from jiuzhu.intake.models import Document
from jiuzhu.payments.testing import account_number, accounts_bulk
from jiuzhu.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target(tmp_path):
    """A second, empty database to restore into (its settings dict)."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restore"
        with connection.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            c.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    yield settings_dict
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


class _Upload(io.BytesIO):
    name = "申请书.pdf"


def test_pg_tools_come_from_postgresql_15_when_not_on_path(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert backup.pg_tool("pg_dump") == str(backup.PG_BIN / "pg_dump")
    assert backup.pg_tool("pg_restore") == str(backup.PG_BIN / "pg_restore")


def test_round_trip_gives_back_rows_files_and_a_decryptable_account(
    tmp_path, make_household, target, staff, units, settings
):
    from jiuzhu.performance.testing import application

    hh = make_household(
        members=[{"name": "王芳", "birth": date(1980, 4, 1)}, {"name": "王小明", "birth": date(2012, 9, 1)}]
    )
    people = list(hh.members.values_list("id", "name"))
    accounts_bulk(people)
    data = tmp_path / "data"
    (data / "uploads").mkdir(parents=True)
    (data / "uploads" / "list.csv").write_text("姓名\n王芳\n")
    settings.MEDIA_ROOT = data / "media"  # an uploaded document, stored as the window stores it
    clerk = staff("window_clerk")
    app = application(
        household=hh, window=units["town_chengdong"], clerk=clerk, received_on=date(2026, 4, 29)
    )
    pdf = b"%PDF-1.4\n% application form\n%%EOF\n"
    stored = documents.store(_Upload(pdf))
    doc = Document.objects.create(
        application=app,
        kind="application_form",
        original_name="申请书.pdf",
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        path=stored.path,
        uploaded_by=clerk,
    )

    made = backup.backup(tmp_path / "out", data_dir=data)
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"]["registry_person"] == Person.objects.count() >= 2
    assert set(manifest["sha256"]) == {
        manifest["database"]["file"],
        "data.tar.gz",
        "keys/secret_key",
        "keys/field_key",
    }

    restored = tmp_path / "restored"
    backup.restore(made, database=target, data_dir=restored)
    assert backup.raw_counts(target) == backup.table_counts()
    db = backup.raw_connect(target)
    try:
        sql = f"SELECT address FROM registry_household WHERE code = '{hh.code}'"
        assert db.execute(sql).fetchone()[0] == hh.address
        sql = f"SELECT number_encrypted FROM payments_bankaccount WHERE person_id = {people[0][0]:d}"
        token = db.execute(sql).fetchone()[0]
        sql = f"SELECT path, sha256 FROM intake_document WHERE id = {doc.pk:d}"
        doc_path, doc_sha = db.execute(sql).fetchone()
    finally:
        db.close()
    assert (restored / "media" / doc_path).read_bytes() == pdf and doc_sha == doc.sha256
    assert (restored / "uploads" / "list.csv").read_text() == "姓名\n王芳\n"
    key = (restored / "field_key").read_text().strip()
    assert Fernet(key.encode()).decrypt(token.encode()).decode() == account_number(people[0][0])

    with pytest.raises(Conflict) as exc:  # the target now holds data
        backup.restore(made, database=target, data_dir=restored)
    assert exc.value.code == "target_not_empty"


def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path, make_household, target):
    make_household(members=[{"name": "李强", "birth": date(1970, 1, 1)}])
    made = backup.backup(tmp_path / "out", data_dir=tmp_path / "data")
    with (made / "data.tar.gz").open("ab") as f:
        f.write(b"tampered")
    with pytest.raises(ValidationFailed) as exc:
        backup.restore(made, database=target, data_dir=tmp_path / "restored")
    assert exc.value.code == "backup_corrupt"
    assert backup.raw_counts(target) == {}
    assert not (tmp_path / "restored").exists()
