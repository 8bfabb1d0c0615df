"""Backup and restore of the platform's whole state: the database, the data directory (uploads,
staged files, documents) and the keys (Django's secret key, the key that decrypts bank
accounts). ``jiuzhu backup`` / ``jiuzhu restore`` call these.

A backup is a directory::

    database.sqlite3 | database.pgdump   SQLite's online backup (a consistent copy while the
                                         site runs) or ``pg_dump -Fc`` (one snapshot)
    data.tar.gz                          the data directory without the database, keys, static
    keys/secret_key, keys/field_key
    manifest.json                        versions, database vendor, rows per table, and the
                                         SHA-256 of every file above

Restore checks every checksum first, refuses a database or data directory that already holds
data (unless ``force``), loads the database, unpacks the data directory, writes the keys and
compares the rows per table with the manifest.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from .errors import Conflict, ValidationFailed

KEY_FILES = ("secret_key", "field_key")
# Debian's PostgreSQL 15 client tools, used when pg_dump/pg_restore are not on PATH.
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: from PATH, else from PostgreSQL 15's own directory."""
    found = shutil.which(name) or (str(PG_BIN / name) if (PG_BIN / name).exists() else None)
    if found is None:
        raise ValidationFailed(
            f"找不到 {name}（请安装 PostgreSQL 15 客户端）", field="database", code="pg_tools_missing"
        )
    return found


# Not part of the data directory's archive: the database itself, the keys (kept apart),
# collected static files, and backups written into it.
SKIPPED = {"jiuzhu.sqlite3", "jiuzhu.sqlite3-wal", "jiuzhu.sqlite3-shm", "static", "backups", *KEY_FILES}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def table_counts(conn=None) -> dict[str, int]:
    """Rows in every table of the database (the connection's)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        tables = sorted(conn.introspection.table_names(cursor))
        out = {}
        for t in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(t)}")
            out[t] = cursor.fetchone()[0]
    return out


def raw_connect(db: dict):
    """A driver connection to the database a settings dict names, outside Django's handler
    (restore works on a database Django is not using)."""
    if "sqlite" in db["ENGINE"]:
        return sqlite3.connect(db["NAME"])
    import psycopg

    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=True,
    )


def raw_counts(db: dict) -> dict[str, int]:
    """Rows in every table of the database ``db`` names (as ``table_counts``)."""
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        if "sqlite" in db["ENGINE"]
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    )
    conn = raw_connect(db)
    try:
        tables = sorted(r[0] for r in conn.execute(sql).fetchall())
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = [
        "-h",
        db.get("HOST") or "127.0.0.1",
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "",
    ]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def backup(out_dir: Path, *, data_dir: Path | None = None) -> Path:
    """Write a backup of the current database, data directory and keys under ``out_dir``."""
    data_dir = Path(data_dir or settings.DATA_DIR)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(out_dir) / f"jiuzhu-backup-{stamp}"
    target.mkdir(parents=True)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(target / "database.sqlite3")
        try:
            connection.connection.backup(dest)  # SQLite's online backup: consistent while in use
        finally:
            dest.close()
        db_file = "database.sqlite3"
    elif connection.vendor == "postgresql":
        args, env = _pg_env(db)
        db_file = "database.pgdump"
        subprocess.run(
            [pg_tool("pg_dump"), *args, "-Fc", "--no-owner", "-f", str(target / db_file), db["NAME"]],
            env=env,
            check=True,
        )
    else:
        raise ValidationFailed(f"不支持备份 {connection.vendor} 数据库", field="database", code="unsupported")
    with tarfile.open(target / "data.tar.gz", "w:gz") as tar:
        if data_dir.exists():
            for child in sorted(data_dir.iterdir()):
                if child.name not in SKIPPED and child.resolve() != target.resolve().parent:
                    tar.add(child, arcname=child.name)
    keys = target / "keys"
    keys.mkdir()
    (keys / "secret_key").write_text(settings.SECRET_KEY)
    (keys / "field_key").write_text(settings.FIELD_ENCRYPTION_KEY)
    for k in KEY_FILES:
        (keys / k).chmod(0o600)
    files = [db_file, "data.tar.gz", "keys/secret_key", "keys/field_key"]
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(),
        "versions": {
            "jiuzhu": importlib.metadata.version("jiuzhu"),
            "django": importlib.metadata.version("django"),
        },
        "database": {"vendor": connection.vendor, "file": db_file},
        "counts": table_counts(),
        "sha256": {f: _sha256(target / f) for f in files},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return target


def verify(source: Path) -> dict:
    """The backup's manifest, after checking every file against its checksum."""
    source = Path(source)
    try:
        manifest = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError):
        raise ValidationFailed(
            "备份目录中没有有效的 manifest.json", field="source", code="backup_invalid"
        ) from None
    for name, digest in manifest["sha256"].items():
        path = source / name
        if not path.exists() or _sha256(path) != digest:
            raise ValidationFailed(
                f"备份文件 {name} 缺失或已损坏（校验和不符）", field="source", code="backup_corrupt"
            )
    return manifest


def _has_data(counts: dict[str, int]) -> bool:
    return any(n for t, n in counts.items() if t != "django_migrations")


def restore(
    source: Path, *, database: dict | None = None, data_dir: Path | None = None, force: bool = False
) -> dict:
    """Restore a backup into the database ``database`` (a settings dict; the configured one by
    default) and ``data_dir``; returns the manifest. Both must be empty unless ``force``."""
    manifest = verify(source)
    source = Path(source)
    data_dir = Path(data_dir or settings.DATA_DIR)
    db = database or connections["default"].settings_dict
    vendor = manifest["database"]["vendor"]
    if ("sqlite" in db["ENGINE"]) != (vendor == "sqlite"):
        raise ValidationFailed(
            f"备份来自 {vendor} 数据库，不能恢复到另一种数据库", field="database", code="vendor_mismatch"
        )
    leftovers = [c.name for c in data_dir.iterdir() if c.name not in SKIPPED] if data_dir.exists() else []
    if not force and (_has_data(raw_counts(db)) or leftovers):
        raise Conflict(
            "目标数据库或数据目录不是空的；确认要覆盖时请加 --force", field="target", code="target_not_empty"
        )
    if database is None:
        connections.close_all()
    if vendor == "sqlite":
        src = sqlite3.connect(source / manifest["database"]["file"])
        dest = sqlite3.connect(db["NAME"])
        try:
            src.backup(dest)
        finally:
            src.close()
            dest.close()
    else:
        args, env = _pg_env(db)
        subprocess.run(
            [
                pg_tool("pg_restore"),
                *args,
                "--no-owner",
                "--clean",
                "--if-exists",
                "-d",
                db["NAME"],
                str(source / manifest["database"]["file"]),
            ],
            env=env,
            check=True,
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in leftovers:
        path = data_dir / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    with tarfile.open(source / "data.tar.gz", "r:gz") as tar:
        tar.extractall(data_dir, filter="data")
    for k in KEY_FILES:
        shutil.copyfile(source / "keys" / k, data_dir / k)
        (data_dir / k).chmod(0o600)
    counts = raw_counts(db)
    differ = {t: (n, counts.get(t)) for t, n in manifest["counts"].items() if counts.get(t) != n}
    if differ:
        raise Conflict(f"恢复后的行数与备份不符：{differ}", field="database", code="restore_mismatch")
    return manifest
