"""Documents, authorisations, proposals, emergency aid and tracking codes."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions.testing import grant_signed
from jiuzhu.intake import handling, selectors, services, tracking
from jiuzhu.intake.deadlines import tick
from jiuzhu.intake.testing import JPG_BYTES, PDF_BYTES, PNG_BYTES, two_services


class Named(io.BytesIO):
    def __init__(self, data, name):
        super().__init__(data)
        self.name = name


def test_documents_typed_by_content_hashed_and_stored_once(clerk, application, settings):
    docs = [
        services.document_add(actor=clerk, application=application, file=Named(b, n))
        for b, n in (
            (PDF_BYTES, "a.pdf"),
            (PNG_BYTES, "b.png"),
            (JPG_BYTES, "c.jpg"),
            (PDF_BYTES, "same.pdf"),
        )
    ]
    assert [d.content_type for d in docs] == ["application/pdf", "image/png", "image/jpeg", "application/pdf"]
    assert docs[0].sha256 == docs[3].sha256 and docs[0].path == docs[3].path
    stored = Path(settings.MEDIA_ROOT) / docs[0].path
    assert stored.read_bytes() == PDF_BYTES
    with pytest.raises(ValidationFailed) as exc:
        services.document_add(
            actor=clerk, application=application, file=Named(b"MZ\x90\x00 not a pdf", "x.pdf")
        )
    assert exc.value.code == "file_type"
    settings.JIUZHU_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as exc:
        services.document_add(
            actor=clerk, application=application, file=Named(PDF_BYTES + b"0" * 200, "big.pdf")
        )
    assert exc.value.code == "file_too_large"
    leftovers = [p for p in (Path(settings.MEDIA_ROOT) / "intake").iterdir() if p.name.startswith(".upload-")]
    assert leftovers == []


def test_authorised_persons_on_a_date(clerk, application, household):
    head, spouse, child = household.members.order_by("id")
    assert {p.pk for p in selectors.missing_authorisations(household, on=date(2026, 9, 29))} == {
        head.pk,
        spouse.pk,
    }
    services.authorisation_record(
        actor=clerk, application=application, person=head, signed_on=date(2026, 9, 1), today=date(2026, 9, 29)
    )
    a = services.authorisation_record(
        actor=clerk,
        application=application,
        person=spouse,
        signed_on=date(2026, 9, 10),
        valid_until=date(2026, 12, 31),
        today=date(2026, 9, 29),
    )
    assert selectors.authorised_persons(household, on=date(2026, 9, 5)) == [head]
    assert selectors.authorised_persons(household, on=date(2026, 9, 29)) == [head, spouse]
    assert selectors.authorised_persons(household, on=date(2027, 1, 1)) == [head]
    a.revoked_on = date(2026, 10, 1)
    a.save()
    assert selectors.authorised_persons(household, on=date(2026, 10, 1)) == [head]
    with pytest.raises(ValidationFailed):
        services.authorisation_record(
            actor=clerk,
            application=application,
            person=head,
            signed_on=date(2030, 1, 1),
            today=date(2026, 9, 29),
        )


def test_referring_a_verified_service_needs_every_adults_authorisation(clerk, application, household, policy):
    from jiuzhu.intake import catalogue

    svc = next(s for s in catalogue.services(policy) if s.needs_verification)
    with pytest.raises(ValidationFailed) as exc:
        services.refer(
            actor=clerk, application=application, service_codes=[svc.code], today=date(2026, 9, 29)
        )
    assert exc.value.code == "authorisation_missing"
    for p in selectors.missing_authorisations(household, on=date(2026, 9, 29)):
        services.authorisation_record(
            actor=clerk,
            application=application,
            person=p,
            signed_on=date(2026, 9, 29),
            today=date(2026, 9, 29),
        )
    assert services.refer(
        actor=clerk, application=application, service_codes=[svc.code], today=date(2026, 9, 29)
    )


def test_proposals_mark_needs_received_and_exclusive(clerk, application, household, policy, officer, staff):
    from jiuzhu.intake import catalogue

    props = selectors.proposals(application, today=date(2026, 9, 29))
    assert len(props) == len(catalogue.services(policy)) and all(p.reasons for p in props)
    asked = [p for p in props if p.asked]
    assert asked and props[: len(asked)] == asked  # asked-for services first
    # an amount is shown with its own period (per month, per year, one-off), never all "per month"
    for x in props:
        if x.amount is not None:
            assert x.amount_period == policy.service(x.service.code).amount_period
    assert {"month", "year"} <= {x.amount_period for x in props if x.amount is not None}
    svc = two_services(policy)[0]
    r = services.refer(
        actor=clerk, application=application, service_codes=[svc.code], today=date(2026, 9, 29)
    )[0]
    who = officer(svc.unit_code)
    handling.referral_accept(actor=who, referral=r)
    grant_signed(
        actor=who,
        approver=staff("approver", "civil_affairs"),
        referral=r,
        amount="100",
        period="month",
        start_month=date(2026, 10, 1),
    )
    app2 = services.application_create(actor=clerk, household=household, needs=["living"])
    p = {x.service.code: x for x in selectors.proposals(app2, today=date(2026, 11, 2))}
    assert p[svc.code].already_received and not p[svc.code].recommended
    with pytest.raises(ValidationFailed) as exc:
        services.refer(actor=clerk, application=app2, service_codes=[svc.code], today=date(2026, 11, 2))
    assert exc.value.code == "already_receiving"
    pair = next(((s.code, x) for s in catalogue.services(policy) for x in s.exclusive_with), None)
    if pair:
        with pytest.raises(ValidationFailed) as exc:
            services.refer(actor=clerk, application=app2, service_codes=list(pair), today=date(2026, 11, 2))
        assert exc.value.code in ("services_exclusive", "authorisation_missing")


def test_emergency_aid_first(staff, household, clerk):
    case = staff("town_caseworker", "town_chengdong")
    app = services.application_create(
        actor=clerk, household=household, needs=["emergency"], today=date(2026, 9, 29)
    )
    with pytest.raises(PermissionDenied):
        services.emergency_grant(
            actor=staff("town_caseworker", "town_chengxi"), application=app, amount="500", cause="fire"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.emergency_grant(actor=case, application=app, amount="2000.01", cause="fire")
    assert exc.value.code == "over_emergency_limit"
    aid = services.emergency_grant(
        actor=case, application=app, amount="2000", cause="fire", today=date(2026, 9, 29)
    )
    # 10 working days from 09-29 over the National Day holiday and the working Saturday 10-10
    assert aid.file_due_on == date(2026, 10, 19)
    # paid as a one-off entitlement of the town: the September roll carries it (ledger, screening)
    from jiuzhu.decisions.models import Entitlement
    from jiuzhu.payments.models import PaymentLine
    from jiuzhu.payments.services import rolls_generate

    ent = Entitlement.objects.get(household=household, category="temporary")
    assert (ent.amount, ent.amount_period, ent.cause, ent.unit) == (
        Decimal("2000.00"),
        "once",
        "fire",
        case.unit,
    )
    assert ent.start_month == date(2026, 9, 1) and ent.origin.startswith("先行救助")
    rolls_generate(month=date(2026, 9, 1))
    line = PaymentLine.objects.get(household=household, period=date(2026, 9, 1))
    assert (line.amount, line.entitlement_id, line.unit_id) == (Decimal("2000.00"), ent.pk, case.unit_id)
    with pytest.raises(IllegalTransition) as exc:
        services.emergency_grant(
            actor=case, application=app, amount="100", cause="fire", today=date(2026, 10, 9)
        )
    assert exc.value.code == "same_cause_within_12_months"
    assert selectors.deadline_lists(window=clerk.unit, today=date(2026, 10, 20)).emergency_overdue == [aid]
    assert tick(today=date(2026, 10, 20)).emergency_overdue == 1
    assert tick(today=date(2026, 10, 20)).emergency_overdue == 0
    services.emergency_complete(actor=clerk, aid=aid, note="补齐")
    app.refresh_from_db()
    assert app.status == "closed"
    with pytest.raises(IllegalTransition):
        services.emergency_complete(actor=clerk, aid=aid)


def test_emergency_aid_needs_an_emergency_request(staff, application):
    with pytest.raises(IllegalTransition) as exc:
        services.emergency_grant(
            actor=staff("town_caseworker"), application=application, amount="100", cause="fire"
        )
    assert exc.value.code == "not_emergency"


def test_tracking_codes():
    codes = {tracking.new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 10 and set(c) <= set(tracking.ALPHABET) for c in codes)
    assert tracking.normalise("7kq2m-x9d4t") == "7KQ2MX9D4T"
    assert tracking.normalise("OIL12-34567") == "01112" + "34567"
    assert tracking.normalise("ABCDE") == "" and tracking.normalise("UUUUUUUUUU") == ""
    assert tracking.display("7KQ2MX9D4T") == "7KQ2M-X9D4T"
