from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("", views.home, name="home"),
    path("requests/new/", views.request_new, name="request_new"),
    path("r/<int:pk>/", views.request_detail, name="request"),
    path("r/<int:pk>/issue/", views.issue, name="issue"),
    path("review/<int:match_id>/", views.review, name="review"),
    path("report/<int:report_id>/", views.report, name="report"),
    path("report/<int:report_id>/export.csv", views.report_export, name="report_export"),
    path("report/<int:report_id>/recipient/", views.mark_recipient, name="mark_recipient"),
    path("upload/", views.upload, name="upload"),
    path("upload/<int:upload_id>/", views.upload_report, name="upload_report"),
    path("upload/<int:upload_id>/apply/", views.upload_apply, name="upload_apply"),
    path("task/<int:task_id>/", views.task, name="task"),
    path("task/<int:task_id>/answer/", views.task_answer, name="task_answer"),
]
