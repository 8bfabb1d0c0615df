"""The household page's bank-account panel (``payments/panels/household.html``)."""

from django import template

from jiuzhu.payments import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def household_accounts(context, household):
    return selectors.household_accounts(actor=context["request"].user, household=household)
