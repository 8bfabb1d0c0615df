from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("registrations/<int:pk>/", views.registration, name="registration"),
    path("registrations/<int:pk>/offer/", views.offer, name="offer"),
    path("registrations/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("registrations/<int:pk>/subsidy/", views.subsidy, name="subsidy"),
    path("offers/<int:pk>/answer/", views.answer, name="answer"),
    path("letters/<int:pk>.pdf", views.letter_pdf, name="letter_pdf"),
]
