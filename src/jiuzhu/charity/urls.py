from django.urls import path

from . import views

app_name = "charity"
urlpatterns = [
    path("", views.home, name="home"),
    path("claim/", views.claim, name="claim"),
    path("refer/<str:household_code>/", views.refer, name="refer"),
    path("r/<int:ref_id>/", views.referral, name="referral"),
    path("r/<int:ref_id>/<str:action>/", views.referral_act, name="referral_act"),
    path("p/<str:code>/", views.partner, name="partner"),
    path("p/<str:code>/ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("p/<str:code>/donations/", views.donation_add, name="donation_add"),
    path("p/<str:code>/issues/", views.issue_add, name="issue_add"),
    path("p/<str:code>/volunteers/", views.volunteer_add, name="volunteer_add"),
    path("d/<int:donation_id>/", views.donation, name="donation"),
    path("d/<int:donation_id>/receipt.pdf", views.receipt, name="receipt"),
    path("manage/", views.manage, name="manage"),
    path("manage/<str:what>/", views.manage_act, name="manage_act"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("public/", views.public_index, name="public_index"),
    path("public/<str:code>/", views.public, name="public"),
]
