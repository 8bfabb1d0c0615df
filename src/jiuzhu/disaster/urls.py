from django.urls import path

from . import views

app_name = "disaster"
urlpatterns = [
    path("", views.home, name="home"),
    path("events/new/", views.declare, name="declare"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/lists/upload/", views.upload, name="upload"),
    path("events/<int:pk>/settle/", views.settle, name="settle"),
    path("lists/<int:pk>/", views.village_list, name="list"),
    path("lists/<int:pk>/apply/", views.apply, name="apply"),
    path("aids/<int:pk>/resettle/", views.resettle, name="resettle"),
    path("template.xlsx", views.template_file, name="template"),
]
