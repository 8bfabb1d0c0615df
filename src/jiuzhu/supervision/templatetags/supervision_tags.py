"""Figures for the supervision panels on the registry home page."""

from django import template

from jiuzhu.common import clock

from .. import selectors
from ..models import Assignment, Complaint

register = template.Library()


@register.simple_tag
def supervision_summary():
    today = clock.today()
    parts = Assignment.objects.exclude(state=Assignment.CLOSED)
    return {
        "next_meeting": selectors.next_meeting(today=today),
        "open_parts": parts.count(),
        "overdue_parts": parts.filter(state=Assignment.OPEN, due_on__lt=today).count(),
        "waiting": parts.filter(state=Assignment.CLOSURE_REQUESTED).count(),
        "open_complaints": Complaint.objects.exclude(state=Complaint.CLOSED).count(),
        "overdue_complaints": Complaint.objects.exclude(state=Complaint.CLOSED)
        .filter(due_on__lt=today)
        .count(),
    }
