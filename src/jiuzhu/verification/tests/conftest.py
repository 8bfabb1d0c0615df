"""Verification fixtures: staff of the verification centre, of the data sources and of a
department; a worked household (hand-computed figures in test_report.py); datasets."""

from datetime import date

import pytest

from jiuzhu.registry.testing import make_id
from jiuzhu.verification import testing
from jiuzhu.verification.sources import catalogue

TODAY = date(2026, 3, 10)
AS_OF = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def verification_storage(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def officer(staff):
    return staff("verification_officer", "civil_affairs")


@pytest.fixture
def clerk(staff):
    return staff("window_clerk", "town_chengdong")


@pytest.fixture
def providers(staff):
    """One data_provider per source unit: ``providers["tax"]``."""
    return {code: staff("data_provider", code) for code in {s.unit for s in catalogue().sources}}


@pytest.fixture
def provider_of(providers):
    return lambda source_code: providers[catalogue().get(source_code).unit]


@pytest.fixture
def worked(make_household):
    """Four members: a working father, a mother who works part of the year, a child and a
    grandmother of 76 with a residents' basic pension."""
    return make_household(
        members=[
            {
                "name": "张建国",
                "id_number": make_id(date(1975, 4, 2), gender="M"),
                "birth": date(1975, 4, 2),
                "relation": "head",
                "gender": "M",
                "employment_status": "employed",
            },
            {
                "name": "李秀英",
                "id_number": make_id(date(1978, 9, 15), gender="F"),
                "birth": date(1978, 9, 15),
                "relation": "spouse",
                "gender": "F",
            },
            {"name": "张小明", "birth": date(2012, 6, 1), "relation": "child", "gender": "M"},
            {
                "name": "王桂兰",
                "id_number": make_id(date(1950, 1, 20), gender="F"),
                "birth": date(1950, 1, 20),
                "relation": "grandparent",
                "gender": "F",
            },
        ],
        area="urban",
        address="示范市城东街道幸福社区幸福路1号2栋301室",
    )


def stranger_rows(source_code: str) -> list[dict]:
    """A row of somebody else for every source, so that each has a dataset."""
    src = catalogue().get(source_code)
    row = {"id_number": make_id(date(1960, 1, 1), gender="M"), "name": "赵无关"}
    for c in src.columns:
        if c.name in row or not c.required:
            continue
        row[c.name] = {
            "date": "2025-06-30",
            "money": "100",
            "area": "50",
            "text": "X-1",
        }.get(c.type) or next(iter(c.choices), "男")
    if src.period:
        row[src.period[0]], row[src.period[1]] = "2025-01-01", "2025-06-30"
    return [row]


@pytest.fixture
def all_datasets(provider_of):
    """Every source gets a dataset as of AS_OF (a stranger's row, plus ``extra[source]``)."""

    def load(extra: dict[str, list[dict]] | None = None, as_of: date = AS_OF):
        extra = extra or {}
        for s in catalogue().sources:
            testing.load_dataset(
                provider_of(s.code), s.code, stranger_rows(s.code) + extra.get(s.code, []), as_of=as_of
            )

    return load
