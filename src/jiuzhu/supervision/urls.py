from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("conference/", views.conference, name="conference"),
    path("conference/officers/", views.officer_assign, name="officer_assign"),
    path("conference/officers/<int:pk>/end/", views.officer_end, name="officer_end"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/plan/", views.meetings_plan, name="meetings_plan"),
    path("meetings/call/", views.meeting_call, name="meeting_call"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/papers.pdf", views.meeting_pdf, name="meeting_pdf"),
    path("meetings/<int:pk>/<str:action>/", views.meeting_act, name="meeting_act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("directives/", views.directives, name="directives"),
    path("directives/new/", views.directive_create, name="directive_create"),
    path("directives/<int:pk>/", views.directive, name="directive"),
    path("assignments/<int:pk>/<str:action>/", views.assignment_act, name="assignment_act"),
    path("complain/", views.complain, name="complain"),
    path("complain/track/", views.complaint_track, name="complaint_track"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/<int:pk>/", views.complaint, name="complaint"),
    path("complaints/<int:pk>/<str:action>/", views.complaint_act, name="complaint_act"),
    path("accountability/", views.accountability, name="accountability"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
]
