"""The household page's programme facts (DOMAIN §7): the form that records one kind (built
from ``programme.FIELDS``, so the screen asks what the API asks and the service's error lands
next to its field) and the rows the page lists."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from jiuzhu.common import clock
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.roles import role_of

from . import programme, programme_read, selectors
from .forms import BLANK, DATE, StaffForm
from .models import ProgrammeFact
from .views import _member_choices, staff_view


class FactForm(StaffForm):
    """One kind's fields as text, choices and check boxes; the service checks them."""

    def __init__(self, *args, kind: str, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind in ProgrammeFact.MEMBER_KINDS:
            self.fields["person"] = forms.ChoiceField(
                label="成员", choices=BLANK + [(str(p["id"]), p["label"]) for p in members], required=False
            )
        self.fields["effective_on"] = forms.CharField(label="日期", required=False, widget=DATE)
        for name, (label, vkind, choices, _required) in programme.FIELDS[kind].items():
            if vkind == programme.BOOL:
                self.fields[name] = forms.BooleanField(label=label, required=False)
            elif vkind == programme.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=label, choices=BLANK + list(choices), required=False
                )
            elif vkind == programme.DATE:
                self.fields[name] = forms.CharField(label=label, required=False, widget=DATE)
            else:
                attrs = {"inputmode": "decimal"} if vkind in (programme.MONEY, programme.INT) else {}
                self.fields[name] = forms.CharField(
                    label=label, required=False, max_length=100, widget=forms.TextInput(attrs=attrs)
                )
        for name, (_label, _v, _c, required) in programme.FIELDS[kind].items():
            self.fields[name].required = False
            if required:
                self.fields[name].widget.attrs["aria-required"] = "true"
                self.fields[name].label_suffix = " *"
        first = next(iter(self.fields))
        self.fields[first].widget.attrs["autofocus"] = True

    def data_values(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in programme.FIELDS[self.kind]}

    def place_error(self, exc: JiuzhuError, field: str | None = None) -> None:
        name = (exc.field or "").removeprefix("data.")
        super().place_error(exc, name)


@staff_view(write=True)
def fact_add(request, code, kind):
    if kind not in programme.FIELDS:
        raise Http404("没有这一类救助事项信息")
    h = selectors.get_household(code)
    selectors.ensure_can_write(request.user, h)
    members = _member_choices(h, role_of(request.user))
    title = f"登记{programme.KIND_LABELS[kind]}"
    if request.method == "POST":
        form = FactForm(request.POST, kind=kind, members=members)
        if form.is_valid():
            pid = form.cleaned_data.get("person")
            person = h.members.get(pk=int(pid)) if pid else None
            try:
                programme.fact_record(
                    actor=request.user,
                    household=h,
                    kind=kind,
                    data=form.data_values(),
                    effective_on=form.cleaned_data.get("effective_on") or None,
                    person=person,
                )
            except JiuzhuError as exc:
                form.place_error(exc)
            else:
                messages.success(request, f"已登记{programme.KIND_LABELS[kind]}。")
                return redirect(reverse("registry:household", args=[code]) + "#programme")
        form.mark_errors()
        status = 400
    else:
        form = FactForm(initial={"effective_on": clock.today().isoformat()}, kind=kind, members=members)
        status = 200
    return render(
        request,
        "registry/record_form.html",
        {"form": form, "household": h, "title": title, "anchor": "programme"},
        status=status,
    )


def page_context(household, role) -> dict:
    """The household page's programme-facts section: every row newest first, the ones the
    rules read today marked, and the kinds one may record."""
    current = programme_read.current_ids(household.pk, clock.today())
    return {
        "programme_facts": [
            programme.fact_view(f, role, current=f.pk in current) for f in programme.rows(household)
        ],
        "programme_kinds": list(ProgrammeFact.Kind.choices),
    }
