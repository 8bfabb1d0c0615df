from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.home, name="home"),
    path("generate/", views.generate, name="generate"),
    path("roll/<int:pk>/", views.roll_detail, name="roll"),
    path("roll/<int:pk>/review/", views.review, name="review"),
    path("roll/<int:pk>/approve/", views.approve, name="approve"),
    path("roll/<int:pk>/to-draft/", views.to_draft, name="to_draft"),
    path("roll/<int:pk>/export/", views.export, name="export"),
    path("roll/<int:pk>/return/", views.return_import, name="return_import"),
    path("attention/", views.attention, name="attention"),
    path("line/<int:pk>/fix/", views.line_fix, name="line_fix"),
    path("line/<int:pk>/recovered/", views.recovery, name="recovery"),
    path("account/<int:person_id>/", views.account_set, name="account_set"),
    path("account/change/<int:pk>/confirm/", views.account_confirm, name="account_confirm"),
    path("account/change/<int:pk>/reject/", views.account_reject, name="account_reject"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export", views.ledger_export, name="ledger_export"),
    path("budgets/", views.budgets, name="budgets"),
    path("budgets/edit/", views.budget_edit, name="budget_edit"),
    path("public/", views.public, name="public"),
]
