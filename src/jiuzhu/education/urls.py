from django.urls import path

from . import views

app_name = "education"
urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("schools/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("schools/<int:pk>/term.xlsx", views.term_xlsx, name="term_xlsx"),
    path("schools/<int:pk>/term/upload/", views.term_upload, name="term_upload"),
    path("returns/<int:pk>/", views.term_return, name="term_return"),
    path("returns/<int:pk>/apply/", views.term_return_apply, name="term_return_apply"),
]
