from django.urls import path

from . import views

app_name = "education"
urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("schools/<int:pk>/confirm/", views.confirm, name="confirm"),
]
