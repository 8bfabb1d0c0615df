"""Screening's checks are rows of the scope table (issue 13): ``screening.read`` (a unit its
own alerts, the city's judges all), ``screening.resolve`` (the alert's unit, or the approver),
``screening.run`` and ``screening.upload_list`` (a department its own lists only)."""

import pytest

from jiuzhu.common.errors import PermissionDenied
from jiuzhu.registry.models import Unit
from jiuzhu.screening import services
from jiuzhu.screening.models import Alert, DepartmentList

from .test_screens import raised  # noqa: F401 (fixture)


def test_reading_resolving_and_running_by_the_table(client, staff, raised):  # noqa: F811
    dead = raised["dead"]
    clerk = staff("window_clerk", "town_chengdong")
    client.force_login(clerk)
    r = client.get("/api/screening/alerts")
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    with pytest.raises(PermissionDenied) as exc:
        services.alert_resolve(
            alert_id=dead.pk, actor=staff("town_caseworker", "town_liuhe"), status="confirmed", action="stop"
        )
    assert exc.value.code == "out_of_scope" and Alert.objects.get(pk=dead.pk).status == "open"
    with pytest.raises(PermissionDenied) as exc:
        services.alert_resolve(alert_id=dead.pk, actor=staff("supervisor"), status="confirmed", action="stop")
    assert exc.value.code == "role_not_allowed"
    own = staff("town_caseworker", Unit.objects.get(pk=dead.unit_id).code)
    client.force_login(own)
    assert {a["id"] for a in client.get("/api/screening/alerts").json()} == set(
        Alert.objects.filter(unit_id=dead.unit_id).values_list("pk", flat=True)
    )
    client.force_login(staff("town_caseworker", "town_chengdong"))
    assert client.post("/screening/run/").status_code == 403


def test_a_department_uploads_only_its_own_lists(staff, db):
    content = "姓名,身份证号码,出生日期\n何独居,329901194501010011,1945-01-01\n".encode()
    housing = Unit.objects.get(code="housing")
    with pytest.raises(PermissionDenied) as exc:
        services.department_list_validate(
            actor=staff("department_officer", "civil_affairs"),
            kind="elderly_alone",
            filename="x.csv",
            content=content,
            unit=housing,
        )
    assert exc.value.code == "out_of_scope" and not DepartmentList.objects.exists()
