"""Bulk loading of generated households into the real test database."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.db import IntegrityError, connection

from jiuzhu.common import idnumber
from jiuzhu.common.errors import Conflict
from jiuzhu.registry import bulk, demogen, services
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person

AS_OF = date(2026, 6, 1)


def generated(policy, households=300, seed=3):
    return demogen._concat(
        list(
            demogen.generate(
                towns=demogen.towns_from_policy(policy), households=households, seed=seed, as_of=AS_OF
            )
        )
    )


def load(chunk):
    return bulk.bulk_load(iter([chunk]), progress=False)


def test_rows_are_readable_through_the_orm(units, policy):
    chunk = generated(policy)
    stats = load(chunk)
    assert (stats.households, stats.persons, stats.incomes, stats.assets) == (
        chunk.households.height,
        chunk.persons.height,
        chunk.incomes.height,
        chunk.assets.height,
    )
    assert Household.objects.count() == chunk.households.height
    assert Person.objects.count() == chunk.persons.height
    assert IncomeItem.objects.count() == chunk.incomes.height
    assert Asset.objects.count() == chunk.assets.height
    households = {r["idx"]: r for r in chunk.households.iter_rows(named=True)}
    for row in chunk.persons.sample(200, seed=1).iter_rows(named=True):
        person = Person.objects.select_related("household__town").get(id_number=row["id_number"])
        info = idnumber.parse(person.id_number)
        assert (
            (person.birth_date, person.gender)
            == (info.birth_date, info.gender)
            == (row["birth_date"], row["gender"])
        )
        assert person.name == row["name"] and person.relation == row["relation"]
        assert person.disability_grade == row["disability_grade"]
        assert person.has_capable_supporter is row["has_capable_supporter"]
        assert person.deceased_on is None and person.created_at is not None
        h = households[row["household_idx"]]
        assert person.household.code == h["code"]
        assert person.household.town.code == h["town_code"]
        assert person.household.division_code.startswith(person.household.town.division_code)
        assert person.household.dwelling_area == Decimal(h["dwelling_area_cents"]) / 100
    incomes = chunk.incomes.join(
        chunk.persons.select(pl.col("idx").alias("person_idx"), "id_number"), on="person_idx"
    )
    for row in incomes.sample(100, seed=2).iter_rows(named=True):
        item = IncomeItem.objects.filter(
            person__id_number=row["id_number"], kind=row["kind"], note=row["note"]
        ).first()
        assert item.monthly_amount == Decimal(row["monthly_amount_cents"]) / 100
        assert (item.period_start, item.period_end) == (row["period_start"], row["period_end"])
    house = Asset.objects.filter(kind="house").select_related("person", "household").first()
    assert house.floor_area > 0 and house.person.household_id == house.household_id
    # A bulk import, not edits: no history rows.
    assert not Person.history.exists() and not Household.history.exists() and not IncomeItem.history.exists()


def raw_row(model, pk):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as c:
        c.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        return dict(zip([d[0] for d in c.description], c.fetchone(), strict=True))


def test_rows_are_stored_as_the_orm_stores_them(units, policy):
    """Saving a bulk-loaded record through the ORM rewrites its row unchanged (but for
    ``updated_at``): the loader wrote what the ORM writes, type for type."""
    load(generated(policy, households=200))
    samples = (
        Household.objects.filter(dwelling_area__isnull=False).order_by("?")[:5],
        Person.objects.filter(disability_grade__isnull=False)[:3],
        Person.objects.filter(disability_grade__isnull=True, school_stage="primary")[:3],
        IncomeItem.objects.order_by("?")[:10],
        Asset.objects.filter(kind="house")[:3],
        Asset.objects.filter(kind="financial")[:3],
    )
    for queryset in samples:
        assert queryset
        for obj in queryset:
            before = raw_row(type(obj), obj.pk)
            obj.save()
            after = raw_row(type(obj), obj.pk)
            before.pop("updated_at", None), after.pop("updated_at", None)
            for column, value in before.items():
                assert type(value) is type(after[column]) and value == after[column], (
                    obj,
                    column,
                    value,
                    after[column],
                )


def test_ids_continue_after_a_load_and_the_orm_keeps_working(units, policy, make_household):
    before = make_household(members=[{"name": "李四", "birth": date(1980, 3, 3)}])
    load(generated(policy, households=120))
    after = make_household(members=[{"name": "王五", "birth": date(1982, 4, 4)}])
    assert after.pk > Household.objects.exclude(pk=after.pk).order_by("-pk").first().pk > before.pk
    person = after.members.get()
    assert person.pk == Person.objects.order_by("-pk").first().pk
    item = services.income_add(
        actor=None,
        person=person,
        kind="wages",
        monthly_amount="100",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 5, 31),
    )
    assert item.pk == IncomeItem.objects.order_by("-pk").first().pk


def test_a_second_generated_run_is_refused(units, policy):
    load(generated(policy, households=30))
    with pytest.raises(Conflict):
        load(generated(policy, households=30, seed=8))
    assert Household.objects.count() == 30


def test_demo_data_is_detected_and_deleted_without_touching_other_households(
    units, policy, make_household, staff
):
    ours = make_household(members=[{"name": "赵六", "birth": date(1975, 5, 5)}])
    assert not bulk.demo_loaded()
    load(generated(policy, households=80))
    assert bulk.demo_loaded()
    income = IncomeItem.objects.filter(person__household__code__startswith="D").first()
    demo_person = income.person
    clerk = staff("window_clerk", demo_person.household.town.code)  # a clerk of that household's town
    services.member_update(actor=clerk, person=demo_person, data={"phone": "13900000000"})
    services.record_removal(actor=clerk, obj=income)
    assert Person.history.filter(id=demo_person.pk).exists() and IncomeItem.history.exists()
    assert bulk.demo_delete() == 80
    assert not bulk.demo_loaded()
    assert list(Household.objects.all()) == [ours]
    assert Person.objects.count() == 1
    assert not IncomeItem.objects.exclude(person__household=ours).exists()
    assert not Asset.objects.exclude(household=ours).exists()
    assert not Person.history.exclude(household_id=ours.pk).exists() and not IncomeItem.history.exists()


def test_unknown_towns_are_refused(db, policy):
    with pytest.raises(Exception, match="units_sync"):
        load(generated(policy, households=10))
    assert not Household.objects.exists()


def schema():
    with connection.cursor() as c:
        return {
            m._meta.db_table: connection.introspection.get_constraints(c, m._meta.db_table)
            for m in (Household, Person, IncomeItem, Asset)
        }


def test_a_load_into_empty_tables_leaves_the_schema_as_it_found_it(units, policy):
    before = schema()
    load(generated(policy, households=60))
    assert schema() == before


def test_a_duplicate_id_number_fails_the_whole_load(units, policy):
    chunk = generated(policy, households=60)
    twin = chunk.persons["id_number"][0]
    persons = chunk.persons.with_columns(
        id_number=pl.when(pl.col("idx") == chunk.persons["idx"][-1]).then(pl.lit(twin)).otherwise("id_number")
    )
    with pytest.raises(IntegrityError):
        load(demogen.Chunk(chunk.households, persons, chunk.incomes, chunk.assets))
    assert not Household.objects.exists() and not Person.objects.exists()
