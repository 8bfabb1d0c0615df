from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.home, name="home"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="resolve"),
    path("report.xlsx", views.report_xlsx, name="report"),
    path("run/", views.run_now, name="run"),
    path("lists/", views.lists, name="lists"),
    path("lists/<int:pk>/apply/", views.list_apply, name="list_apply"),
]
