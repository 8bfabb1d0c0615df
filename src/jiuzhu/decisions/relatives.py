"""Close relatives of staff (近亲属备案, DOMAIN §3 and §7; 最低生活保障审核确认办法 第二十条):
declared by the member of staff himself, or by an admin for any member of staff, with history
(``StaffRelative`` keeps it). Each member of staff also records his own ID number, so a
recipient of his own household is found even when nobody declared anything.

``relatives_of(household)`` is what grant control and the decision cases read: every member of
the household who is a declared relative or a member of staff himself."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from jiuzhu.common import clock, scope, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.registry.models import StaffRelative, User


def _for_whom(actor: User, staff) -> User:
    staff = staff or actor
    if staff.pk != actor.pk and role_of(actor) != m.ADMIN:
        raise PermissionDenied(
            "只能申报本人的近亲属（为他人申报须由系统管理员办理）", code="not_own_declaration"
        )
    scope.require(actor, "relative.declare", unit=staff.unit)
    return staff


@transaction.atomic
def staff_id_number_set(*, actor: User, id_number, staff: User | None = None) -> User:
    """A member of staff records his own ID number (an admin records anyone's)."""
    staff = _for_whom(actor, staff)
    number = values.id_number(id_number)
    if User.objects.filter(id_number=number).exclude(pk=staff.pk).exists():
        raise Conflict("该身份证号码已登记在其他工作人员名下", field="id_number", code="id_number_taken")
    staff = User.objects.select_for_update().get(pk=staff.pk)
    staff.id_number = number
    staff.save(update_fields=["id_number"])
    return staff


@transaction.atomic
def relative_declare(
    *, actor: User, name, id_number, relation: str, staff: User | None = None, today: date | None = None
) -> StaffRelative:
    """Declare a close relative of ``staff`` (default: the actor himself)."""
    staff = _for_whom(actor, staff)
    name = values.text(name, field="name", max_length=50, label="亲属姓名")
    card = values.id_info(id_number)
    if relation not in dict(StaffRelative.Relation.choices):
        raise ValidationFailed(
            "关系应为配偶、父母、子女、兄弟姐妹等近亲属", field="relation", code="invalid_relation"
        )
    declarant = staff.display_name or staff.username
    try:
        with transaction.atomic():
            return StaffRelative.objects.create(
                staff=staff,
                declarant_name=declarant,
                declarant_post=staff.get_role_display(),
                unit=staff.unit,
                name=name,
                id_number=card.number,
                id_upgraded=card.upgraded_from_15,
                relation=relation,
                declared_on=today or clock.today(),
            )
    except IntegrityError:
        raise Conflict("该亲属已申报备案", field="id_number", code="already_declared") from None


def relatives_of(household) -> list[dict]:
    """Members of ``household`` who are declared close relatives of staff, or staff themselves
    (by the ID number staff recorded). Names masked; the declarant named."""
    members = {p.id_number: p for p in household.members.all()}
    out = [
        {
            "member": m.mask_name(x.name),
            "declarant": x.declarant_name,
            "post": x.declarant_post,
            "relation": x.get_relation_display(),
            "staff": x.staff_id,
        }
        for x in StaffRelative.objects.filter(id_number__in=members).order_by("id")
    ]
    for u in User.objects.filter(id_number__in=[k for k in members if k]).order_by("id"):
        out.append(
            {
                "member": m.mask_name(members[u.id_number].name),
                "declarant": u.display_name or u.username,
                "post": u.get_role_display(),
                "relation": "本人",
                "staff": u.pk,
            }
        )
    return out
