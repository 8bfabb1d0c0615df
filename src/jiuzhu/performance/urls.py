from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("", views.home, name="home"),
    path("live/", views.live, name="live"),
    path("refresh", views.refresh, name="refresh"),
    path("briefing.pdf", views.briefing_pdf, name="briefing"),
    path("cases/", views.cases, name="cases"),
    path("kpis/", views.period_kpis, name="kpis"),
    path("evaluation/<str:code>/", views.evaluation_view, name="evaluation"),
    path("evaluation/<str:code>/report.pdf", views.evaluation_pdf, name="evaluation_pdf"),
    path("ranking/", views.ranking, name="ranking"),
    path("public/", views.public, name="public"),
]
