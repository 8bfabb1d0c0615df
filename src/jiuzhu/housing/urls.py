from django.urls import path

from . import views

app_name = "housing"
urlpatterns = [
    path("", views.home, name="home"),
    path("allocate/", views.allocate, name="allocate"),
]
