"""Helpers for verification's tests and the demo (no test-framework imports): authorisations
recorded through intake's own services, datasets uploaded and applied from rows."""

from __future__ import annotations

from datetime import date

import polars as pl

from jiuzhu.common import idnumber

from . import datasets
from .models import SourceTask
from .sources import source


def authorise(household, clerk, *, on: date, only=None):
    """Record at the window a verification authorisation for each living adult (or for the
    persons in ``only``), through intake's services."""
    from jiuzhu.intake import services as intake

    app = intake.application_create(actor=clerk, household=household, needs=["living"], today=on)
    people = (
        only
        if only is not None
        else [
            p
            for p in household.members.all()
            if not p.deceased_on and idnumber.age_on(p.birth_date, on) >= 18
        ]
    )
    for p in people:
        intake.authorisation_record(actor=clerk, application=app, person=p, signed_on=on, today=on)
    return app


def csv_bytes(source_code: str, rows: list[dict], *, labels: bool = True) -> bytes:
    """Rows keyed by column code → a CSV with the source's Chinese headers (or codes)."""
    src = source(source_code)
    cols = [c for c in src.columns if any(c.name in r for r in rows)]
    frame = pl.DataFrame(
        {
            (c.label if labels else c.name): [None if r.get(c.name) is None else str(r[c.name]) for r in rows]
            for c in cols
        },
        schema={(c.label if labels else c.name): pl.String for c in cols},
    )
    return frame.write_csv().encode("utf-8")


def load_dataset(provider, source_code: str, rows: list[dict], *, as_of: date, mode: str = "whole"):
    """Upload and apply ``rows`` as a dataset of ``source_code`` as of ``as_of``."""
    upload = datasets.dataset_upload(
        actor=provider,
        source_code=source_code,
        as_of=as_of,
        data=csv_bytes(source_code, rows),
        filename="data.csv",
    )
    return datasets.dataset_apply(actor=provider, upload=upload, mode=mode)


def verified(household, *, requester, service_code: str, today=None):
    """A valid verification report for ``household`` (DOMAIN §7 "Verification before
    decisions"), through verification's own services: ``requester`` (a unit handling the
    household's referral of ``service_code``) asks, every data-source unit answers "no
    records", the verification centre issues the report. Every adult must have authorised."""
    from jiuzhu.common import clock
    from jiuzhu.registry.models import Unit, User

    from . import services as verification

    today = today or clock.today()

    def user(role, unit):
        # the unit's own staff answer when it has any (the demo's providers and verifier)
        u = User.objects.filter(role=role, unit=unit, is_active=True).order_by("pk").first()
        if u is None:
            u, _ = User.objects.get_or_create(
                username=f"{role}_{unit.code}_verify", defaults={"role": role, "unit": unit, "password": "!"}
            )
        return u

    req = verification.request_create(
        actor=requester, household=household, service_code=service_code, today=today
    )
    if req.state == req.SERVED:  # a report still valid was served again
        return req.report
    for task in req.tasks.filter(state=SourceTask.OPEN).select_related("unit"):
        verification.task_answer(actor=user("data_provider", task.unit), task=task, no_records=True)
    officer = user("verification_officer", Unit.objects.get(code="civil_affairs"))
    return verification.report_issue(actor=officer, request=req, today=today)
