from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Asset, Household, IncomeItem, Person, Unit, User


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "division_code", "is_conference_member", "is_data_source")
    list_filter = ("kind", "is_conference_member", "is_data_source")
    search_fields = ("code", "name")


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "display_name", "unit", "role", "is_active")
    list_filter = ("role", "unit")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("救助平台", {"fields": ("display_name", "unit", "role")}))


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ("name", "id_number", "relation", "gender", "birth_date", "disability_kind", "disability_grade")
    readonly_fields = ("gender", "birth_date")


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ("code", "town", "community", "area")
    list_filter = ("area", "town")
    search_fields = ("code", "members__id_number", "members__name")
    inlines = [PersonInline]


admin.site.register(IncomeItem, SimpleHistoryAdmin)
admin.site.register(Asset, SimpleHistoryAdmin)
admin.site.site_header = "救助平台 · 系统管理"
admin.site.site_title = "救助平台"
