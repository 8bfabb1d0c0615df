"""Template builtins (no ``{% load %}`` needed): ``{{ code|label:"unit" }}``,
``{{ amount|yuan }}``, ``{{ when|moment }}`` — see ``jiuzhu.common.labels``."""

from django import template

from jiuzhu.common import labels

register = template.Library()


@register.filter(name="label")
def label(code, kind="state"):
    return labels.label(kind, code)


@register.filter(name="kpi")
def kpi(key):
    return labels.kpi(key)


@register.filter(name="yuan")
def yuan(amount):
    return labels.yuan(amount)


@register.filter(name="moment")
def moment(value):
    return labels.moment(value)
