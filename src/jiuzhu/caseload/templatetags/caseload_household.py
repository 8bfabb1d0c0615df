"""The household page's change-request panel (``caseload/panels/household.html``)."""

from django import template

from jiuzhu.common import scope

from .. import selectors
from ..models import ChangeRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def household_changes(context, household) -> dict | None:
    """What the reader may do with the household's change requests: raise one, and the pending
    ones he may read; ``None`` when he may do neither."""
    user = context["request"].user
    can_raise = scope.allows(user, "change.raise", household=household)
    can_read = scope.allows(user, "change.read", household=household)
    if not (can_raise or can_read):
        return None
    pending = (
        list(
            selectors.change_requests(actor=user, state=ChangeRequest.State.PENDING, household=household)[:20]
        )
        if can_read
        else []
    )
    return {"can_raise": can_raise, "pending": pending}
