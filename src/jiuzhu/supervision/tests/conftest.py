import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def convener(staff):
    return staff("convener", "civil_affairs")


@pytest.fixture
def supervisor(staff):
    return staff("supervisor", "discipline")


@pytest.fixture
def handler(staff):
    """A discipline-inspection officer: handles complaints."""
    return staff("department_officer", "discipline")


@pytest.fixture
def as_user():
    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
