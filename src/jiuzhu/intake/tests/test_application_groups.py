"""The application page groups the catalogue by need category (医疗、教育、住房……), the
categories asked for first and unfolded, every service and category by its Chinese name."""

import re

from django.test import Client

from jiuzhu.intake import selectors, services
from jiuzhu.policy.schema import CATEGORIES


def test_services_are_grouped_by_category_with_the_asked_ones_first(clerk, household, policy):
    app = services.application_create(actor=clerk, household=household, needs=["education", "medical"])
    groups = selectors.proposal_groups(selectors.proposals(app))
    assert {g.category for g in groups[:2]} == {"education", "medical"}
    assert all(g.open for g in groups[:2])
    assert sum(len(g.proposals) for g in groups) == len(policy.services)
    assert len({g.category for g in groups}) == len(groups) > 4
    c = Client()
    c.force_login(clerk)
    page = c.get(f"/intake/a/{app.tracking_code}/").content.decode()
    summaries = re.findall(r'<details class="proposal-group"( open)?><summary><strong>([^<]+)</strong>', page)
    assert [name for _, name in summaries] == [g.label for g in groups]
    assert {name for opened, name in summaries if opened} >= {CATEGORIES["education"], CATEGORIES["medical"]}
    closed = [name for opened, name in summaries if not opened]
    assert closed and all(name in CATEGORIES.values() for name in closed)
    # every service is still one tick away, by its Chinese name, never its code
    text = re.sub(r"<[^>]+>", " ", page)
    for s in policy.services:
        assert f'name="services" value="{s.code}"' in page
        assert s.name in text
    assert not re.search(r"\b(temporary_emergency|dibao_single|civil_affairs)\b", text)
