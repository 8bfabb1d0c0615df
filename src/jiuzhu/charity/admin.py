"""Reference data of social forces for the system administrator: partners and their log-ins,
funds, stock items and offers. Donations, issues and referrals go through the services (they
move balances), so they are read-only here."""

from django.contrib import admin

from .models import CharityReferral, Donation, Fund, Offer, Partner, PartnerUser, StockItem


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "active")
    search_fields = ("code", "name")


@admin.register(PartnerUser)
class PartnerUserAdmin(admin.ModelAdmin):
    list_display = ("user", "partner")


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("partner", "code", "name", "kind", "capacity", "max_amount", "period_days", "active")
    list_filter = ("kind", "partner")


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ("partner", "code", "name", "balance")
    readonly_fields = ("balance",)


@admin.register(StockItem)
class StockItemAdmin(admin.ModelAdmin):
    list_display = ("partner", "code", "name", "on_hand", "unit")
    readonly_fields = ("on_hand",)


@admin.register(Donation)
class DonationAdmin(ReadOnly):
    list_display = ("receipt_no", "partner", "kind", "amount", "quantity", "received_on")


@admin.register(CharityReferral)
class CharityReferralAdmin(ReadOnly):
    list_display = ("id", "partner", "offer", "need", "state", "referred_on", "due_on")
    list_filter = ("state", "partner")
