from django.urls import path

from . import views

app_name = "caseload"
urlpatterns = [
    path("", views.home, name="home"),
    path("template.<str:fmt>", views.template_file, name="template"),
    path("imports/upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.batch, name="batch"),
    path("imports/<int:pk>/duplicates/<int:dup>/", views.decide, name="decide"),
    path("imports/<int:pk>/approve/", views.approve, name="approve"),
    path("imports/<int:pk>/reject/", views.reject, name="reject"),
    path("households/<str:code>/changes/new/", views.change_new, name="change_new"),
    path("changes/<int:pk>/", views.change, name="change"),
    path("changes/<int:pk>/documents/", views.change_document_add, name="change_document_add"),
    path("changes/<int:pk>/documents/<int:doc>/", views.change_document, name="change_document"),
    path("changes/<int:pk>/approve/", views.change_approve, name="change_approve"),
    path("changes/<int:pk>/reject/", views.change_reject, name="change_reject"),
]
