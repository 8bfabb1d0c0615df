from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.window, name="window"),
    path("new/<str:household_code>/", views.application_new, name="new"),
    path("a/<str:code>/", views.application, name="application"),
    path("a/<str:code>/receipt/", views.receipt, name="receipt"),
    path("a/<str:code>/documents/", views.document_upload, name="document_upload"),
    path("a/<str:code>/authorisations/", views.authorisation_add, name="authorisation_add"),
    path("a/<str:code>/refer/", views.refer, name="refer"),
    path("a/<str:code>/emergency/", views.emergency, name="emergency"),
    path("emergency/<int:aid_id>/complete/", views.emergency_complete, name="emergency_complete"),
    path("documents/<int:doc_id>/", views.document, name="document"),
    path("inbox/", views.inbox, name="inbox"),
    path("r/<int:ref_id>/", views.referral, name="referral"),
    path("r/<int:ref_id>/<str:action>/", views.referral_act, name="referral_act"),
    path("track/", views.track, name="track"),
    path("results/", views.published, name="results"),
    path("results.xlsx", views.published_xlsx, name="results_xlsx"),
]
