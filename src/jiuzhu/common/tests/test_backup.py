"""``jiuzhu backup`` / ``jiuzhu restore``: a round trip gives back the same rows, the data
directory's files and a bank account that still decrypts; a damaged backup or a non-empty
target is refused. Runs on whichever database the suite runs on (SQLite and PostgreSQL)."""

import json
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from jiuzhu.common import backup
from jiuzhu.common.errors import Conflict, ValidationFailed
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


def test_round_trip_gives_back_rows_files_and_a_decryptable_account(tmp_path, make_household, target):
    hh = make_household(
        members=[{"name": "王芳", "birth": date(1980, 4, 1)}, {"name": "王小明", "birth": date(2012, 9, 1)}]
    )
    people = list(hh.members.values_list("id", "name"))
    accounts_bulk(people)
    data = tmp_path / "data"
    (data / "uploads").mkdir(parents=True)
    (data / "uploads" / "list.csv").write_text("姓名\n王芳\n")

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
    finally:
        db.close()
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
