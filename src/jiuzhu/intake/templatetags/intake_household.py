"""The household page's one-window panel (``intake/panels/household.html``)."""

from django import template

from jiuzhu.common.errors import PermissionDenied
from jiuzhu.intake import services

register = template.Library()


@register.simple_tag(takes_context=True)
def takes_applications(context) -> bool:
    """Whether the reader works at a town window (the one who may take a request, 受理申请)."""
    try:
        services.ensure_window_staff(context["request"].user)
    except PermissionDenied:
        return False
    return True
