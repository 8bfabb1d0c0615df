"""The intake router and the look-ups its endpoints share."""

from __future__ import annotations

from ninja import Router

from jiuzhu.common.errors import NotFound
from jiuzhu.common.services import log_access
from jiuzhu.common.signin import client_ip

from .. import selectors, services
from ..models import Referral

router = Router(tags=["intake 一门受理与协同办理"])


# --- helpers --------------------------------------------------------------------------------


def _app(code: str, user):
    app = services.get_application(code)
    selectors.ensure_can_view(user, app)
    return app


def _app_out(app, user) -> dict:
    log_access(
        user=user,
        action="view",
        object_type="intake.application",
        object_id=app.tracking_code,
        household_code=app.household.code,
        purpose="一门受理办理",
    )
    return selectors.application_view(app, user)


def _referral(pk: int) -> Referral:
    r = Referral.objects.select_related("application", "application__window", "unit").filter(pk=pk).first()
    if r is None:
        raise NotFound("分办事项不存在", field="referral")
    return r


def _ref_out(r: Referral, user) -> dict:
    r = _referral(r.pk)
    return selectors.referral_view(r, user)


def _ip(request) -> str:
    return client_ip(request)
