from datetime import date

import pytest

from jiuzhu.intake import services
from jiuzhu.intake.testing import ensure_catalogue


@pytest.fixture(autouse=True)
def intake_catalogue(settings, tmp_path):
    ensure_catalogue(settings, tmp_path)
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clerk(staff):
    return staff("window_clerk", "town_chengdong")


@pytest.fixture
def household(make_household):
    return make_household(
        members=[
            {"name": "王建国", "birth": date(1975, 3, 2), "relation": "head"},
            {"name": "李秀英", "birth": date(1978, 6, 9), "relation": "spouse", "gender": "F"},
            {"name": "王小明", "birth": date(2012, 9, 1), "relation": "child"},
        ]
    )


@pytest.fixture
def application(clerk, household):
    return services.application_create(
        actor=clerk,
        household=household,
        needs=["living", "education", "medical"],
        description="丈夫失业，孩子上学困难",
        today=date(2026, 9, 29),
    )


@pytest.fixture
def officer(staff):
    """``officer(unit_code)``: a department officer of that unit."""

    def make(unit_code):
        return staff("department_officer", unit_code)

    return make
