"""Forms of the registry screens. They only turn text into types (dates, numbers); the rules
(required fields, ID numbers, one head, duplicates) are the services', so a screen and the
API refuse the same input with the same message. ``place_error`` puts a service error next
to the field it names."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms

from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError

from .models import Asset, Household, IncomeItem, Person, Source, Unit

BLANK = [("", "—请选择—")]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, whose choices the form fills in when it is made."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffForm(forms.Form):
    required_css_class = "required"

    def place_error(self, exc: JiuzhuError, field: str | None = None) -> None:
        """Show a service error next to its field (or above the form if no field fits)."""
        name = field if field is not None else exc.field
        self.add_error(name if name in self.fields else None, exc.message)

    def mark_errors(self, *, focus: bool = True) -> None:
        """Move focus to the first wrong field. (Django itself marks wrong fields
        ``aria-invalid`` and points ``aria-describedby`` at ``<id>_error``/``<id>_helptext``,
        the ids registry/_field.html gives the messages.)"""
        wrong = [name for name in self.errors if name in self.fields]
        if not (focus and wrong):
            return
        self.clear_focus()
        self.fields[wrong[0]].widget.attrs["autofocus"] = True

    def clear_focus(self) -> None:
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()}


def _text(label, *, max_length=100, **kw):
    """A text box. ``max_length`` (the column's) becomes the browser's ``maxlength``; the
    checks themselves (length, control characters, phone, amounts) are jiuzhu.common.values',
    run by the services, so a screen and the API refuse the same input with the same message."""
    field = forms.CharField(label=label, max_length=max_length, required=False, **kw)
    field.validators = []
    return field


def _choice(label, choices, *, blank=False, **kw):
    return forms.ChoiceField(
        label=label, choices=(BLANK if blank else []) + list(choices), required=False, **kw
    )


class HouseholdForm(StaffForm):
    members_error = ""  # a refusal about the members as a whole, shown above their rows

    town = forms.ChoiceField(label="户籍镇街", required=False)
    community = _text("村（社区）")
    division_code = _text(
        "户籍行政区划代码",
        max_length=12,
        help_text="6、9或12位数字",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    area = _choice("城乡", Household.Area.choices, blank=True)
    address = _text("居住地址", max_length=200)
    phone = _text(
        "联系电话", max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    )
    dwelling_area = _text(
        "现住房建筑面积（㎡）", max_length=12, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        towns = Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "code")
        _choice_field(self, "town").choices = BLANK + [(u.code, u.name) for u in towns]
        for name in ("town", "community", "division_code", "area", "address"):
            self.fields[name].widget.attrs["aria-required"] = "true"
        self.fields["town"].widget.attrs["autofocus"] = True

    @classmethod
    def initial_for(cls, user) -> dict:
        unit = getattr(user, "unit", None)
        if unit is not None and unit.kind == Unit.Kind.TOWN:
            return {"town": unit.code, "division_code": unit.division_code}
        return {}


class MemberForm(StaffForm):
    name = _text("姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    id_number = _text(
        "身份证号码",
        max_length=18,
        help_text="18位，末位可为X；15位旧号码自动升位",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    relation = _choice("与户主关系", Person.Relation.choices)
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=DATE, help_text="可不填，按身份证号码自动识别"
    )
    gender = _choice("性别", [("", "按身份证号码")] + Person.Gender.choices)
    phone = _text("联系电话", max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    labour_capacity = _choice("劳动能力", Person.LabourCapacity.choices)
    disability_kind = _choice("残疾类别", Person.DisabilityKind.choices)
    disability_grade = forms.TypedChoiceField(
        label="残疾等级",
        choices=[("", "—")] + [(str(i), f"{i}级") for i in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    serious_illness = _text("重特大疾病（病种）")
    self_care = _choice("生活自理能力", Person.SelfCare.choices)
    school_stage = _choice("在学阶段", Person.SchoolStage.choices)
    employment_status = _choice("就业状况", Person.EmploymentStatus.choices)
    has_capable_supporter = forms.BooleanField(
        label="有具备赡养扶养抚养能力的法定义务人", required=False, initial=True
    )

    # The fields shown above the fold of a member row; the rest sit in "更多情况".
    BASIC = ("name", "id_number", "relation", "birth_date", "gender", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employment_status"].initial = "none"

    def is_blank(self) -> bool:
        """A row the clerk added but left empty (no name, no ID number) is ignored."""
        return not any((self.data.get(self.add_prefix(n)) or "").strip() for n in ("name", "id_number"))

    def values(self) -> dict:
        data = super().values()
        if not data.get("gender"):
            data.pop("gender", None)
        return data

    def basic_fields(self):
        return [self[n] for n in self.BASIC if n in self.fields]

    def more_fields(self):
        return [self[n] for n in self.fields if n not in self.BASIC]

    def more_has_errors(self) -> bool:
        return any(n in self.errors for n in self.fields if n not in self.BASIC)


# Person fields whose masking kind decides whether a role may see (and so edit) them.
_MEMBER_FIELD_KIND = {
    "name": "name",
    "phone": "phone",
    "disability_kind": "disability",
    "disability_grade": "disability",
    "serious_illness": "health",
}


class MemberEditForm(MemberForm):
    """A member's facts except the ID number (and birth date and gender, which it fixes).
    Fields the role may not see are left out, so they are neither shown nor overwritten."""

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("id_number", "birth_date", "gender"):
            del self.fields[name]
        for name, kind in _MEMBER_FIELD_KIND.items():
            if not m.sees(kind, role):
                self.fields.pop(name, None)
        hidden = [n for n, k in _MEMBER_FIELD_KIND.items() if not m.sees(k, role)]
        self.hidden_for_role = [str(MemberForm.base_fields[n].label) for n in hidden]

    @staticmethod
    def initial_for(person: Person) -> dict:
        return {n: getattr(person, n) for n in MemberForm.base_fields if hasattr(person, n)}


_MEMBER_KEY = re.compile(r"^m-(\d+)-")
MAX_ROWS = 30


def member_rows(data) -> list[MemberForm]:
    """The member rows of a posted household form, in page order (rows are ``m-<n>-*``)."""
    indexes = sorted({int(mt.group(1)) for key in data if (mt := _MEMBER_KEY.match(key))})
    return [MemberForm(data, prefix=f"m-{i}") for i in indexes[:MAX_ROWS]]


def blank_member_row(index: int, *, first: bool = False) -> MemberForm:
    form = MemberForm(
        prefix=f"m-{index}", initial={"relation": Person.Relation.HEAD if first else Person.Relation.CHILD}
    )
    return form


def row_index(form: MemberForm) -> int:
    assert form.prefix is not None  # member rows are made with their prefix (blank_member_row)
    return int(form.prefix.split("-")[1])


def split_member_field(field: str | None) -> tuple[int | None, str | None]:
    """``members[2].id_number`` -> (2, "id_number"); ``member[0].name`` -> (0, "name")."""
    mt = re.match(r"^members?\[(\d+)\]\.(.+)$", field or "")
    return (int(mt.group(1)), mt.group(2)) if mt else (None, field)


def _last_twelve_months(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


class IncomeForm(StaffForm):
    person = forms.ChoiceField(label="成员")
    kind = _choice("收入类别", IncomeItem.Kind.choices, blank=True)
    monthly_amount = _text(
        "月均金额（元）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    period_start = forms.DateField(label="统计起", widget=DATE)
    period_end = forms.DateField(label="统计止", widget=DATE)
    source = forms.ChoiceField(label="来源", choices=Source.choices, initial=Source.SELF_DECLARED)
    note = _text("说明", max_length=200)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "person").choices = BLANK + [(str(p["id"]), p["label"]) for p in members]
        self.fields["person"].widget.attrs["autofocus"] = True

    @staticmethod
    def initial_for(today: date) -> dict:
        start, end = _last_twelve_months(today)
        return {"period_start": start, "period_end": end}


class AssetForm(StaffForm):
    kind = _choice("资产类别", Asset.Kind.choices, blank=True)
    value = _text("价值/金额（元）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    as_of = forms.DateField(label="数据日期", widget=DATE)
    person = forms.ChoiceField(label="所属成员", required=False)
    floor_area = _text(
        "建筑面积（㎡）",
        max_length=12,
        help_text="房产必填",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    vehicle_purpose = _choice("车辆用途", Asset.VehiclePurpose.choices)
    source = forms.ChoiceField(label="来源", choices=Source.choices, initial=Source.SELF_DECLARED)
    description = _text("说明", max_length=200)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "person").choices = [("", "（家庭共有）")] + [
            (str(p["id"]), p["label"]) for p in members
        ]
        self.fields["kind"].widget.attrs["autofocus"] = True
