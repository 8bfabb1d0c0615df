from django.contrib.auth.models import AnonymousUser

from jiuzhu.common import masking as m
from jiuzhu.common.roles import role_of


def test_a_signed_in_officer_acts_in_his_role(staff):
    assert role_of(staff("town_caseworker")) == m.TOWN_CASEWORKER


def test_a_superuser_without_a_role_acts_as_admin(staff):
    boss = staff("", "civil_affairs", "boss_root")
    boss.is_superuser = True
    assert role_of(boss) == m.ADMIN


def test_nobody_and_a_roleless_login_are_public_never_empty(staff):
    assert role_of(None) == m.PUBLIC
    assert role_of(AnonymousUser()) == m.PUBLIC
    assert role_of(staff("", "civil_affairs", "no_role")) == m.PUBLIC
