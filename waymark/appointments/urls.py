from django.urls import path

from waymark.appointments import group_views, views

app_name = "appointments"
urlpatterns = [
    path("me/appointments/", views.mine, name="mine"),
    path("me/appointments/<int:appointment_id>/calendar.ics", views.calendar_file, name="ics"),
    path("patients/<uuid:patient_id>/appointments/", views.patient_list, name="patient_list"),
    path("patients/<uuid:patient_id>/appointments/new/", views.new, name="new"),
    path("appointments/<int:appointment_id>/", views.detail, name="detail"),
    path("appointments/<int:appointment_id>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/outcome/", views.outcome, name="outcome"),
    path(
        "appointments/<int:appointment_id>/attendance/",
        group_views.attendance,
        name="attendance",
    ),
    path("schedule/", views.schedule, name="schedule"),
    path("groups/", group_views.group_list, name="groups"),
    path("groups/new/", group_views.group_new, name="group_new"),
    path("groups/<int:group_id>/", group_views.group_detail, name="group"),
    path("groups/<int:group_id>/members/", group_views.group_members, name="group_members"),
    path("groups/<int:group_id>/sessions/new/", group_views.session_new, name="session_new"),
]
