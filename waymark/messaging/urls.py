from django.urls import path

from waymark.messaging import views

app_name = "messaging"
urlpatterns = [
    # The patient's own conversations with their care team.
    path("messages/", views.my_messages, name="mine"),
    path("messages/<int:thread_id>/", views.my_thread, name="thread"),
    # The care team's side.
    path("care/messages/", views.staff_inbox, name="inbox"),
    path("patients/<uuid:patient_id>/messages/", views.patient_messages, name="patient"),
    path(
        "patients/<uuid:patient_id>/messages/<int:thread_id>/",
        views.patient_thread,
        name="patient_thread",
    ),
]
