from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registry/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("units/", views.units, name="units"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/new/member-row/", views.member_row, name="member_row"),
    path("households/<str:code>/", views.household, name="household"),
    path("households/<str:code>/edit/", views.household_edit, name="household_edit"),
    path("households/<str:code>/members/new/", views.member_add, name="member_add"),
    path("households/<str:code>/members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("households/<str:code>/incomes/new/", views.income_add, name="income_add"),
    path("households/<str:code>/assets/new/", views.asset_add, name="asset_add"),
]
