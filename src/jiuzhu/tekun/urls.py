from django.urls import path

from . import views

app_name = "tekun"
urlpatterns = [
    path("", views.home, name="home"),
    path("homes/<int:pk>/", views.support_home, name="home_detail"),
    path("homes/<int:pk>/pay/", views.pay_month, name="pay_month"),
    path("placements/new/", views.placement_new, name="placement_new"),
    path("placements/", views.placement_create, name="placement_create"),
    path("placements/<int:pk>/leave/", views.placement_leave, name="placement_leave"),
    path("funerals/", views.funerals, name="funerals"),
    path("funerals/<int:pk>/", views.funeral, name="funeral"),
    path("funerals/<int:pk>/grant/", views.funeral_grant, name="funeral_grant"),
]
