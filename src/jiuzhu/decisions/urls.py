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
    path("notices/", views.public_notices, name="notices"),
    path("notices.xlsx", views.public_notices_xlsx, name="notices_xlsx"),
    path("notices/<int:pk>/objection/", views.objection, name="objection"),
]
