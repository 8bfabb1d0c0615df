from django.urls import path

from . import views

app_name = "tekun"
urlpatterns = [
    path("", views.home, name="home"),
    path("homes/<int:pk>/", views.support_home, name="home_detail"),
    path("homes/<int:pk>/pay/", views.pay_month, name="pay_month"),
]
