from datetime import date

import pytest

from jiuzhu.common.testing import download_name
from jiuzhu.registry.management.commands.demo import demo_staff_sync
from jiuzhu.supervision import demo
from jiuzhu.supervision.models import AccountabilityRecord, Assignment, Complaint, Directive, Meeting

pytestmark = pytest.mark.django_db


def test_demo_seed_once(policy, units, as_user):
    demo_staff_sync(policy=policy)
    today = date(2026, 11, 27)
    summary = demo.seed(policy=policy, today=today)
    assert "督办事项 3 项" in summary
    held = Meeting.objects.get(status=Meeting.HELD)
    assert held.attendance.count() == 32 and held.directives.count() == 3
    assert Directive.objects.filter(status=Directive.CLOSED).count() == 1
    late = Assignment.objects.get(unit__code="housing")
    assert late.escalation_level >= 1 and late.due_on < today
    nxt = Meeting.objects.filter(status=Meeting.PLANNED, planned_on__gte=today).order_by("planned_on").first()
    assert nxt is not None and nxt.agenda.get(kind="directives").data["rows"]
    assert Complaint.objects.filter(state=Complaint.CLOSED, finding="confirmed").count() == 1
    assert Complaint.objects.exclude(state=Complaint.CLOSED).count() == 1
    assert AccountabilityRecord.objects.count() == 1
    assert "未重复生成" in demo.seed(policy=policy, today=today)
    assert Meeting.objects.filter(status=Meeting.HELD).count() == 1 and Complaint.objects.count() == 2
    # the demo's pages open for the convener
    from jiuzhu.registry.models import User

    c = as_user(User.objects.get(username="convener"))
    for url in [
        "/supervision/",
        "/supervision/conference/",
        f"/supervision/meetings/?year={held.year}",
        f"/supervision/meetings/{held.pk}/",
        f"/supervision/meetings/{nxt.pk}/",
        "/supervision/directives/",
        f"/supervision/directives/{late.directive_id}/",
        "/supervision/complaints/",
        "/supervision/accountability/",
    ]:
        assert c.get(url).status_code == 200, url
    pdf = c.get(f"/supervision/meetings/{held.pk}/papers.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000
    assert pdf["Content-Disposition"].startswith("inline;")
    assert download_name(pdf) == f"会议材料-{held.title}.pdf"


def test_home_panels(as_user, convener, supervisor):
    from jiuzhu.supervision import services

    services.directive_create(
        actor=convener, title="核查", units=["education"], limit_days=1, today=date(2026, 1, 5)
    )
    page = as_user(convener).get("/").content.decode()
    assert "联席会议与监督" in page and "未办结督办任务 1 项" in page and "超期 1" in page
    assert "访问与变更日志" in as_user(supervisor).get("/").content.decode()
