"""Two officers acting on one referral at the same moment: exactly one wins, the other is
refused with a clear error. Runs on SQLite (IMMEDIATE transactions) and PostgreSQL
(SELECT … FOR UPDATE)."""

from datetime import date

import pytest

from jiuzhu.common.testing import race
from jiuzhu.decisions.grants import grant_sign
from jiuzhu.intake import handling, services
from jiuzhu.intake.models import CaseEvent, Referral
from jiuzhu.intake.testing import two_services


@pytest.mark.django_db(transaction=True)
def test_two_officers_cannot_both_win(staff, make_household, policy):
    clerk = staff("window_clerk", "town_chengdong")
    household = make_household(members=[{"name": "赵六", "birth": date(1960, 1, 1)}])
    app = services.application_create(actor=clerk, household=household, needs=["education"])
    svc = two_services(policy)[0]
    r = services.refer(actor=clerk, application=app, service_codes=[svc.code])[0]
    a = staff("department_officer", svc.unit_code)
    b = staff("department_officer", svc.unit_code)
    handling.referral_accept(actor=a, referral=r)
    version = Referral.objects.get(pk=r.pk).version

    # Granting above the rule's amount waits for the approver's signature (grant control);
    # the race is between that signature and the other officer's refusal.
    held = handling.referral_grant(
        actor=a,
        referral=r.pk,
        amount="300",
        start_month=date(2026, 11, 1),
        note="按实际需要核定",
        version=version,
    ).held_grant
    assert held is not None
    version = Referral.objects.get(pk=r.pk).version
    approver = staff("approver", "civil_affairs")

    results = race(
        [
            lambda: grant_sign(actor=approver, request=held.pk),
            lambda: handling.referral_refuse(
                actor=b, referral=r.pk, reasons="不符合", basis="办法", alternatives="慈善", version=version
            ),
        ]
    )
    kinds = sorted(k for k, _ in results)
    assert kinds == ["error", "ok"], results
    loser = next(v for k, v in results if k == "error")
    assert loser.code in {"stale_version", "referral_closed", "busy", "grant_not_pending"} and loser.message
    final = Referral.objects.get(pk=r.pk)
    assert final.state in (Referral.GRANTED, Referral.REFUSED)
    assert CaseEvent.objects.filter(referral_id=r.pk, kind__in=["granted", "refused"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_transfers_at_once_make_one_new_leg(staff, make_household, policy):
    clerk = staff("window_clerk", "town_chengdong")
    household = make_household(members=[{"name": "钱七", "birth": date(1961, 2, 2)}])
    app = services.application_create(actor=clerk, household=household, needs=["education"])
    svc = two_services(policy)[0]
    r = services.refer(actor=clerk, application=app, service_codes=[svc.code])[0]
    a = staff("department_officer", svc.unit_code)
    b = staff("department_officer", svc.unit_code)
    results = race(
        [
            lambda: handling.referral_transfer(actor=a, referral=r.pk, to_unit="civil_affairs", reason="甲"),
            lambda: handling.referral_transfer(actor=b, referral=r.pk, to_unit="housing", reason="乙"),
        ]
    )
    assert sorted(k for k, _ in results) == ["error", "ok"], results
    assert Referral.objects.filter(transferred_from_id=r.pk).count() == 1
