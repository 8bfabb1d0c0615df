from django.urls import path

from . import views

app_name = "common"
urlpatterns = [
    path("training-clock/", views.training_clock, name="training_clock"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/file", views.job_file, name="job_file"),
    path("jobs/<int:job_id>/retry/", views.job_retry, name="job_retry"),
]
