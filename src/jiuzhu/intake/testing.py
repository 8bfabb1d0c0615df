"""Helpers for intake's tests and the browser test (no test-framework imports).

Until the city's policy file declares its service catalogue, ``ensure_catalogue`` points the
settings at a copy of the policy file with a small demo catalogue appended, so intake can be
tested on its own; once the file has services, it is used as it is."""

from __future__ import annotations

from pathlib import Path

from jiuzhu.common import clock

FALLBACK_SERVICES = """
# Appended by jiuzhu.intake.testing for tests only: a small catalogue in the policy's shape.
services:
  - {code: dibao, name: 最低生活保障, category: minimum_living, owner_unit: civil_affairs, limit_days: 30, exclusive_with: [tekun], needs_verification: true, basis: 社会救助暂行办法第九条至第十三条}
  - {code: tekun, name: 特困人员救助供养, category: extreme_poverty, owner_unit: civil_affairs, limit_days: 30, exclusive_with: [dibao], needs_verification: true, basis: 特困人员认定办法}
  - {code: temporary, name: 临时救助, category: temporary, owner_unit: civil_affairs, limit_days: 10, basis: 国务院关于全面建立临时救助制度的通知}
  - {code: medical_aid, name: 医疗救助, category: medical, owner_unit: medical_insurance, limit_days: 20, basis: 社会救助暂行办法第二十八条至第三十二条}
  - {code: education_aid, name: 教育救助, category: education, owner_unit: education, limit_days: 20, basis: 社会救助暂行办法第三十三条至第三十六条}
  - {code: housing_rent, name: 住房租赁补贴, category: housing, owner_unit: housing, limit_days: 20, basis: 社会救助暂行办法第三十七条至第四十一条}
  - {code: employment_aid, name: 就业救助, category: employment, owner_unit: hrss, limit_days: 15, basis: 社会救助暂行办法第四十二条至第四十五条}
  - {code: disaster_living, name: 受灾人员过渡期生活救助, category: disaster, owner_unit: emergency, limit_days: 10, basis: 自然灾害救助条例}
  - {code: charity_help, name: 慈善帮扶, category: social, owner_unit: charity_federation, limit_days: 10, basis: 社会救助暂行办法第五十二条}
"""


def ensure_catalogue(settings, tmp_dir: Path) -> None:
    """Make sure the current policy has a service catalogue (see module docstring)."""
    from jiuzhu.policy.selectors import current_policy

    from . import catalogue

    if catalogue.services(current_policy()):
        return
    src = Path(settings.POLICY_FILE)
    dst = Path(tmp_dir) / "policy-with-services.yaml"
    dst.write_text(src.read_text(encoding="utf-8") + FALLBACK_SERVICES, encoding="utf-8")
    settings.POLICY_FILE = dst


def two_services(policy, *, needs_verification: bool = False):
    """Two services owned by two different departments (none needing verification unless
    asked), for flows that refer to two units."""
    from . import catalogue

    picked, units = [], set()
    for s in catalogue.services(policy):
        if s.needs_verification and not needs_verification:
            continue
        if s.unit_code in units or not s.unit_code:
            continue
        picked.append(s)
        units.add(s.unit_code)
        if len(picked) == 2:
            return picked
    raise LookupError("the catalogue has no two services of different units")


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def refer_to(household, unit_code: str, *, service_code: str | None = None, today=None):
    """Give ``unit_code`` a reason to see ``household`` (DOMAIN §8): an application at the
    household's own town window, referred to one of the unit's services (by default the first
    not needing verification). Returns the open referral."""

    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry.models import User

    from . import catalogue, services

    today = today or clock.today()
    clerk, _ = User.objects.get_or_create(
        username=f"window_{household.town.code}",
        defaults={"role": "window_clerk", "unit": household.town, "password": "!"},
    )
    if service_code is None:
        service_code = next(
            s.code
            for s in catalogue.services(current_policy())
            if s.unit_code == unit_code and not s.needs_verification
        )
    app = services.application_create(actor=clerk, household=household, needs=["living"], today=today)
    (referral,) = services.refer(actor=clerk, application=app, service_codes=[service_code], today=today)
    return referral
