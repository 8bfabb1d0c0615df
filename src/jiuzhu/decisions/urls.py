from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [
    path("", views.home, name="home"),
    path("open/<int:referral_id>/", views.case_open, name="open"),
    path("c/<int:pk>/", views.case, name="case"),
    path("c/<int:pk>/<str:action>/", views.case_act, name="case_act"),
    path("letters/<int:pk>.pdf", views.letter_pdf, name="letter"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/<str:action>/", views.review_act, name="review_act"),
    path("grants/", views.grants_list, name="grants"),
    path("grants/<int:pk>/", views.grant, name="grant"),
    path("grants/<int:pk>/<str:action>/", views.grant_act, name="grant_act"),
    path("department-reviews/", views.department_reviews, name="department_reviews"),
    path("department-reviews/<int:pk>/", views.department_review, name="department_review"),
    path("relatives/", views.relatives, name="relatives"),
    path("relatives/declare/", views.relative_declare, name="relative_declare"),
    path("relatives/id-number/", views.staff_id_number, name="staff_id_number"),
    path("notices/", views.public_notices, name="notices"),
    path("notices.xlsx", views.public_notices_xlsx, name="notices_xlsx"),
    path("notices/<int:pk>/objection/", views.objection, name="objection"),
]
