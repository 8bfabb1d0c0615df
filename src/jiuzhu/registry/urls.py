from django.contrib.auth import views as auth_views
from django.urls import path

from jiuzhu.common import signin_views

from . import views, views_facts

app_name = "registry"
urlpatterns = [
    path("login/", signin_views.SignInView.as_view(), name="login"),
    path("login/verify/", signin_views.login_verify, name="login_verify"),
    path("login/enrol/", signin_views.login_enrol, name="login_enrol"),
    path("account/", signin_views.account, name="account"),
    path("account/enrol/", signin_views.account_enrol, name="account_enrol"),
    path("staff/new/", signin_views.staff_new, name="staff_new"),
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
    path("households/<str:code>/facts/<str:kind>/new/", views_facts.fact_add, name="fact_add"),
]
