"""Fast bulk loading of generated households (``registry.demogen`` chunks) into the database.

PostgreSQL: ``COPY … FROM STDIN`` (CSV) through psycopg 3. SQLite: ``executemany`` of
multi-row ``INSERT``s, with fsync off and a large page cache for the length of the load, and
foreign keys checked once at the end (as ``loaddata`` does). Either way the whole load is one
transaction: all of it lands or none does. Into empty tables the secondary indexes (and on
PostgreSQL the unique and foreign-key constraints) are dropped and built again after the rows,
inside that transaction. Chunks are generated and turned into CSV or value lists in a second
thread while the database takes the previous one.

The rows are the ones the ORM would write: every concrete field of ``Household``,
``Person``, ``IncomeItem`` and ``Asset`` is filled, from the chunk where it has a column,
else from the field's default (``auto_now``/``auto_now_add`` get the load's time), and values
are converted for the database by the fields themselves (``get_db_prep_save``) where they are
constants, and in the same representation where they are columns (ISO dates, decimals as
text, booleans as 0/1 on SQLite). Ids are assigned in a block after the current maximum
(tables locked while loading) so foreign keys can be written without a round trip; the
sequences are moved past them afterwards.

**No history rows are written.** A demo load is a bulk import of fictitious data, not a
series of edits by staff: there is no actor and nothing "changed". The history of a demo
household starts with the first edit someone makes to it. (A real city's registry import
goes through the validate → report → approve path of DOMAIN §6, which records who
approved it.)
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import polars as pl
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import Q

from jiuzhu.common import clock
from jiuzhu.common.errors import Conflict

from .demogen import ASSET_SCHEMA, DEMO_CODE_PREFIX, HOUSEHOLD_SCHEMA, INCOME_SCHEMA, PERSON_SCHEMA, Chunk
from .models import Asset, Household, IncomeItem, Person, Unit

T = TypeVar("T")
MODELS = (Household, Person, IncomeItem, Asset)  # in foreign-key order
FRAME_COLUMNS = (list(HOUSEHOLD_SCHEMA), list(PERSON_SCHEMA), list(INCOME_SCHEMA), list(ASSET_SCHEMA))
ROWS_PER_STATEMENT = 64  # SQLite: rows per INSERT (at most 32766 parameters a statement)


@dataclass
class LoadStats:
    households: int = 0
    persons: int = 0
    incomes: int = 0
    assets: int = 0
    seconds: float = 0.0

    @property
    def persons_per_second(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0


def demo_loaded(*, using: str = "default") -> bool:
    """Whether the database holds generated demo households (codes starting with ``D``)."""
    return Household.objects.using(using).filter(code__startswith=DEMO_CODE_PREFIX).exists()


# --- columns --------------------------------------------------------------------------------


def _cents_to_text(col: str) -> pl.Expr:
    c = pl.col(col)
    text = (c.abs() // 100).cast(pl.Utf8) + "." + (c.abs() % 100).cast(pl.Utf8).str.zfill(2)
    return pl.when(c < 0).then("-" + text).otherwise(text)


def _constant(field, value, connection):
    """A constant as the database driver gets it from the ORM, then as text/number for the
    frame (SQLite's driver turns Decimal into str and dates into ISO text the same way)."""
    value = field.get_db_prep_save(value, connection)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat() if connection.vendor != "sqlite" else str(value)
    if isinstance(value, bool) and connection.vendor == "sqlite":
        return int(value)
    return value


_CONST = object()  # marks a column whose value is the same for every row


class _Table:
    """How each concrete column of a model is filled from a chunk frame: a polars expression
    per column, or a constant (the same for every row of the load)."""

    def __init__(self, model, frame_columns, connection, *, now, refs: dict[str, tuple[str, int | dict]]):
        self.model = model
        self.table = model._meta.db_table
        self.columns: list[str] = []
        self.exprs: list[pl.Expr] = []
        self.constants: dict[str, object] = {}
        for f in model._meta.concrete_fields:
            kind, value = self._source(f, set(frame_columns), connection, now, refs)
            if kind is _CONST:
                self.constants[f.column] = value
            else:
                self.columns.append(f.column)
                self.exprs.append(value.alias(f.column))

    def _source(self, f, have: set[str], connection, now, refs):
        if f.primary_key:
            return None, pl.col("__id")
        if f.attname in refs:  # attname -> (frame column, id offset or code -> id map)
            col, target = refs[f.attname]
            if isinstance(target, dict):
                return None, pl.col(col).replace_strict(target, return_dtype=pl.Int64)
            return None, pl.col(col) + target
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return _CONST, _constant(f, now, connection)
        internal = f.get_internal_type()
        if internal == "DecimalField" and f"{f.name}_cents" in have:
            return None, _cents_to_text(f"{f.name}_cents")
        if f.name in have:
            col = pl.col(f.name)
            if internal == "DateField":
                return None, col.cast(pl.Utf8)
            if internal == "BooleanField" and connection.vendor == "sqlite":
                return None, col.cast(pl.Int8)
            return None, col
        if f.has_default():
            return _CONST, _constant(f, f.get_default(), connection)
        if f.null:
            return _CONST, None
        raise ImproperlyConfigured(
            f"bulk load: {self.model.__name__}.{f.name} has no column in the generated data and no default"
        )

    def rows(self, frame: pl.DataFrame, first_id: int) -> pl.DataFrame:
        """The per-row columns, in ``self.columns`` order."""
        return frame.with_columns(
            __id=pl.int_range(first_id, first_id + frame.height, dtype=pl.Int64)
        ).select(self.exprs)


# --- database specifics ---------------------------------------------------------------------


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _reserve_start(cursor, connection, table: str) -> int:
    """The first free id of ``table`` (the table is locked by the caller's transaction)."""
    q = _quote(connection, table)
    if connection.vendor == "postgresql":
        # Nobody else inserts until we commit; reads go on.
        cursor.execute(f"LOCK TABLE {q} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {q}")
    top = cursor.fetchone()[0]
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        cursor.execute(f"SELECT last_value, is_called FROM {cursor.fetchone()[0]}")
        last, called = cursor.fetchone()
        top = max(top, last if called else 0)
    elif connection.vendor == "sqlite":  # the write transaction already excludes other writers
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
    return top + 1


def _finish_ids(cursor, connection, table: str, last_id: int) -> None:
    """Move the id sequence past the loaded rows (SQLite's AUTOINCREMENT does it itself)."""
    if connection.vendor == "postgresql" and last_id > 0:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(%s, (SELECT COALESCE(MAX(id), 1) FROM "
            f"{_quote(connection, table)})))",
            [table, last_id],
        )


def _sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class _Batch:
    """Rows of one table, ready for the database: CSV (PostgreSQL) or all values row after row
    in one flat list (SQLite)."""

    table: _Table
    rows: int
    payload: bytes | list


def _prepare(connection, table: _Table, rows: pl.DataFrame) -> _Batch:
    if connection.vendor == "postgresql":
        rows = rows.with_columns(pl.lit(v).alias(c) for c, v in table.constants.items())
        return _Batch(table, rows.height, rows.write_csv(include_header=False, null_value="\\N").encode())
    width = len(table.columns)
    flat = [None] * (rows.height * width)
    for j, series in enumerate(rows.get_columns()):  # a column at a time: no tuples
        flat[j::width] = series.to_list()
    return _Batch(table, rows.height, flat)


def _write(cursor, connection, batch: _Batch) -> None:
    if not batch.rows:
        return
    table = batch.table
    name = _quote(connection, table.table)
    if connection.vendor == "postgresql":
        cols = ", ".join(_quote(connection, c) for c in [*table.columns, *table.constants])
        with cursor.cursor.copy(f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            copy.write(batch.payload)
        return
    # Binding parameters is most of the cost of an SQLite insert from Python: constants go into
    # the statement as literals, and each statement inserts ROWS_PER_STATEMENT rows. The raw
    # sqlite3 connection is the one Django's transaction is on.
    cols = ", ".join(_quote(connection, c) for c in [*table.columns, *table.constants])
    literals = [_sql_literal(v) for v in table.constants.values()]
    one = "(" + ", ".join(["?"] * len(table.columns) + literals) + ")"
    flat, width, k = batch.payload, len(table.columns), ROWS_PER_STATEMENT
    full = batch.rows // k
    raw = connection.connection
    with connection.wrap_database_errors:  # Django's IntegrityError etc., as through a cursor
        if full:
            step = k * width
            sql = f"INSERT INTO {name} ({cols}) VALUES {', '.join([one] * k)}"
            raw.executemany(sql, (flat[i : i + step] for i in range(0, full * step, step)))
        if batch.rows % k:
            tail = range(full * k * width, len(flat), width)
            raw.executemany(f"INSERT INTO {name} ({cols}) VALUES {one}", (flat[i : i + width] for i in tail))


class _DeferredIndexes:
    """Into empty tables, load first and build the secondary indexes afterwards (one sorted
    build instead of a million random inserts); on PostgreSQL the unique constraints and the
    foreign keys likewise (one validating pass instead of a check per row). Primary keys stay,
    and so do SQLite's unique constraints (part of its table definitions). Everything is
    re-created from its own definition in the same transaction, so no reader ever sees it
    missing, and a failure rolls it all back."""

    def __init__(self, cursor, connection, tables: list[str]):
        self.cursor, self.connection = cursor, connection
        self.indexes: list[tuple[str, str]] = []  # (name, CREATE INDEX …)
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)
        self.uniques: list[tuple[str, str, str]] = []
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {_quote(connection, table)} LIMIT 1")
            if cursor.fetchone():
                self.indexes, self.foreign_keys, self.uniques = [], [], []
                return
            self._collect(table)

    def _collect(self, table: str) -> None:
        c = self.cursor
        if self.connection.vendor == "sqlite":
            c.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            self.indexes += c.fetchall()
        elif self.connection.vendor == "postgresql":
            c.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
                [table],
            )
            self.indexes += c.fetchall()
            c.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [self.connection.ops.quote_name(table)],
            )
            self.foreign_keys += [(table, name, definition) for name, definition in c.fetchall()]
            # Unique constraints too (ID numbers arrive in random order), unless a foreign key
            # hangs on one; re-adding one checks every row again.
            c.execute(
                "SELECT u.conname, pg_get_constraintdef(u.oid) FROM pg_constraint u "
                "WHERE u.conrelid = %s::regclass AND u.contype = 'u' AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = u.conindid)",
                [self.connection.ops.quote_name(table)],
            )
            self.uniques += [(table, name, definition) for name, definition in c.fetchall()]

    def __enter__(self):
        q = self.connection.ops.quote_name
        if self.foreign_keys:
            # PostgreSQL alters no table with deferred checks pending (say, from units_sync in
            # the same transaction): run them now; they would run at commit anyway.
            self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's are initially deferred
        for table, name, _ in self.foreign_keys + self.uniques:
            self.cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
        for name, _ in self.indexes:
            self.cursor.execute(f"DROP INDEX {q(name)}")
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            q = self.connection.ops.quote_name
            for _, sql in self.indexes:
                self.cursor.execute(sql)
            for table, name, definition in self.uniques + self.foreign_keys:
                self.cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
        return False


class _SqlitePragmas:
    """Faster writes for the length of the load: no fsync per commit, a big page cache."""

    def __init__(self, connection):
        self.connection = connection
        self.active = connection.vendor == "sqlite" and not connection.in_atomic_block

    def __enter__(self):
        if self.active:
            with self.connection.cursor() as c:
                c.execute("PRAGMA cache_size")
                self.cache = c.fetchone()[0]
                c.execute("PRAGMA synchronous = OFF")
                c.execute("PRAGMA cache_size = -524288")
                c.execute("PRAGMA temp_store = MEMORY")
        return self

    def __exit__(self, *exc):
        if self.active:
            with self.connection.cursor() as c:
                # Copy the load from the write-ahead log into the database file now, as part of
                # the load, rather than leave a log the size of the database to the next writer.
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                c.execute("PRAGMA synchronous = NORMAL")
                c.execute("PRAGMA temp_store = DEFAULT")
                c.execute(f"PRAGMA cache_size = {int(self.cache)}")
        return False


def _prefetch(chunks: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Generate the next chunks in a thread while the database takes the current one (numpy,
    polars and the database drivers release the interpreter lock for their heavy work). At
    most ``depth`` chunks wait; when the consumer stops early the producer stops too."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for c in chunks:
                if not put(c):
                    return
        except BaseException as exc:  # handed to the consumer
            put(exc)
            return
        put(done)

    worker = threading.Thread(target=produce, daemon=True, name="demogen")
    worker.start()
    try:
        while (item := q.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


# --- the load -------------------------------------------------------------------------------


def bulk_load(
    chunks: Iterable[Chunk],
    *,
    using: str = "default",
    total_persons: int | None = None,
    progress: bool = True,
) -> LoadStats:
    """Write all chunks of one generated run in one transaction. The towns must exist
    (``units_sync`` first), and no earlier run may be loaded (see ``demo_loaded``)."""
    from tqdm import tqdm

    if demo_loaded(using=using):
        # Another generated run would repeat its household codes and ID numbers.
        raise Conflict(
            "数据库中已有演示数据；如需重新生成，请先清除（jiuzhu demo --reset）", code="demo_loaded"
        )
    bar = tqdm(total=total_persons, unit="人", unit_scale=True, desc="导入演示人员", disable=not progress)
    stats = write_chunks(chunks, using=using, on_chunk=lambda chunk: bar.update(chunk.persons.height))
    bar.close()
    return stats


def write_chunks(
    chunks: Iterable[Chunk],
    *,
    using: str = "default",
    on_chunk: Callable[[Chunk], None] | None = None,
    after: Callable[[], None] | None = None,
) -> LoadStats:
    """Write chunks (``demogen``'s frames, or any frames of the same schema: the caseload
    import builds them from a city's file) in one transaction; ``after()`` runs inside that
    transaction once the rows are in and the indexes rebuilt, so what it writes lands or
    fails together with them. The towns must exist."""
    connection = connections[using]
    stats = LoadStats()
    started = time.perf_counter()
    now = clock.now()
    towns = dict(Unit.objects.using(using).filter(kind=Unit.Kind.TOWN).values_list("code", "id"))
    names = [m._meta.db_table for m in MODELS]
    # Foreign keys are checked once at the end, as loaddata does (SQLite checks them row by row
    # otherwise; it cannot switch them off inside a transaction, so this only helps outside one).
    unchecked = connection.vendor == "sqlite" and connection.disable_constraint_checking()
    try:
        with _SqlitePragmas(connection), transaction.atomic(using=using), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # This transaction only: no wait for the WAL flush at commit (a crash loses the
                # load, never consistency), and memory to sort the indexes built at the end.
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            start = {m: _reserve_start(cursor, connection, m._meta.db_table) for m in MODELS}
            loader = _Loader(connection, now=now, towns=towns, start=start)
            with _DeferredIndexes(cursor, connection, names):
                loader.load(chunks, cursor, stats, on_chunk)
            if unchecked:
                connection.check_constraints(table_names=names)
            if after is not None:
                after()
    finally:
        if unchecked:
            connection.enable_constraint_checking()
    stats.seconds = time.perf_counter() - started
    return stats


class _Loader:
    """Turns chunks into batches (in the generating thread, so the conversion overlaps the
    database's work) and writes them (in the caller's thread, on its connection)."""

    def __init__(self, connection, *, now, towns: dict[str, int], start: dict):
        self.connection, self.towns, self.start = connection, towns, start
        self.next_id = dict(start)
        refs = {
            Household: {"town_id": ("town_code", towns)},
            Person: {"household_id": ("household_idx", start[Household])},
            IncomeItem: {"person_id": ("person_id", 0)},
            Asset: {"household_id": ("household_idx", start[Household]), "person_id": ("person_id", 0)},
        }
        self.tables = {
            m: _Table(m, [*columns, "person_id"], connection, now=now, refs=refs[m])
            for m, columns in zip(MODELS, FRAME_COLUMNS, strict=True)
        }

    def prepare(self, chunk: Chunk) -> tuple[Chunk, list[_Batch]]:
        unknown = set(chunk.households["town_code"].unique()) - set(self.towns)
        if unknown:
            raise ImproperlyConfigured(f"towns not in the database (run units_sync first): {sorted(unknown)}")
        # Persons go in ID-number order, so the unique index on it is written front to back
        # rather than at random (twice as fast on SQLite); their ids follow that order, and
        # incomes and assets find them through ``person_id``.
        persons = chunk.persons.sort("id_number")
        first_person = self.next_id[Person]
        ids = persons.select(
            pl.col("idx").alias("person_idx"),
            pl.int_range(first_person, first_person + persons.height, dtype=pl.Int64).alias("person_id"),
        )
        frames = {
            Household: chunk.households,
            Person: persons,
            IncomeItem: chunk.incomes.join(ids, on="person_idx", how="left", maintain_order="left"),
            Asset: chunk.assets.join(ids, on="person_idx", how="left", maintain_order="left"),
        }
        batches = []
        for model in MODELS:
            frame = frames[model]
            if model is Household:
                # Generated indexes map onto ids directly: idx 0 is the first reserved id.
                first = self.start[Household] + (frame["idx"][0] if frame.height else 0)
            else:
                first = self.next_id[model]
            self.next_id[model] = max(self.next_id[model], first + frame.height)
            table = self.tables[model]
            batches.append(_prepare(self.connection, table, table.rows(frame, first)))
        return chunk, batches

    def load(self, chunks: Iterable[Chunk], cursor, stats: LoadStats, on_chunk) -> None:
        for chunk, batches in _prefetch(map(self.prepare, chunks)):
            for batch in batches:
                _write(cursor, self.connection, batch)
            stats.households += chunk.households.height
            stats.persons += chunk.persons.height
            stats.incomes += chunk.incomes.height
            stats.assets += chunk.assets.height
            if on_chunk is not None:
                on_chunk(chunk)
        for model in MODELS:
            _finish_ids(cursor, self.connection, model._meta.db_table, self.next_id[model] - 1)


# --- removal --------------------------------------------------------------------------------


def demo_delete(*, using: str = "default") -> int:
    """Remove the generated demo households with their members, incomes and assets, and the
    history rows later edits made of them, in SQL. Refuses, changing nothing, when records of
    other apps point at them. Returns the number of households removed."""
    connection = connections[using]
    demo = Household.objects.using(using).filter(code__startswith=DEMO_CODE_PREFIX)
    demo_ids = demo.values("id")
    persons = Person.objects.using(using).filter(household__in=demo_ids)
    person_ids = persons.values("id")
    scopes = {
        Household: demo,
        Person: persons,
        IncomeItem: IncomeItem.objects.using(using).filter(person__in=person_ids),
        Asset: Asset.objects.using(using).filter(household__in=demo_ids),
    }
    # Every recorded version of those rows, including incomes and assets removed since.
    histories = {
        Household: Q(id__in=demo_ids),
        Person: Q(id__in=person_ids) | Q(household_id__in=demo_ids),
        IncomeItem: Q(person_id__in=person_ids),
        Asset: Q(household_id__in=demo_ids),
    }
    with transaction.atomic(using=using):
        _refuse_if_referenced(scopes, using)
        count = demo.count()
        with connection.cursor() as cursor:
            for model in reversed(MODELS):
                history = model.history.model
                sql, params = (
                    history.objects.using(using)
                    .filter(histories[model])
                    .values("history_id")
                    .query.sql_with_params()
                )
                table = _quote(connection, history._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE history_id IN ({sql})", params)
            for model in reversed(MODELS):  # children first; their scopes still see the parents
                sql, params = scopes[model].values("id").query.sql_with_params()
                table = _quote(connection, model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({sql})", params)
    return count


def _refuse_if_referenced(scopes: dict, using: str) -> None:
    ours = set(MODELS)
    links: dict = {}  # other model -> Q of its references to demo rows
    for model, scope in scopes.items():
        for rel in model._meta.related_objects:
            if rel.many_to_many:  # the link table's foreign key to us blocks the delete
                other = rel.through
                name = next(f.name for f in other._meta.fields if f.is_relation and f.related_model is model)
            else:
                other, name = rel.related_model, rel.field.name
                # Only enforced foreign keys block the delete (history rows keep theirs unenforced).
                if not rel.field.concrete or not rel.field.db_constraint:
                    continue
            if other in ours:
                continue
            q = Q(**{f"{name}__in": scope.values("id")})
            links[other] = links[other] | q if other in links else q
    found = []
    for other, q in links.items():
        n = other._base_manager.using(using).filter(q).count()
        if n:
            found.append(f"{other._meta.label} {n} 条")
    if found:
        raise Conflict(
            "演示家庭已被其他业务记录引用（" + "、".join(found) + "），不能直接清除；"
            "请先清空数据库（jiuzhu flush）后再运行 jiuzhu demo",
            code="demo_data_referenced",
        )
