from django.urls import path

from . import views

app_name = "medical"
urlpatterns = [
    path("", views.home, name="home"),
    path("settlements/upload/", views.upload, name="upload"),
    path("settlements/<int:pk>/", views.settlement_file, name="file"),
    path("settlements/<int:pk>/apply/", views.apply, name="apply"),
    path("settlement-template.xlsx", views.template_file, name="template"),
]
