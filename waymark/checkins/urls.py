from django.urls import path

from waymark.checkins import pwa, views

app_name = "checkins"
urlpatterns = [
    path("checkin/", views.today, name="today"),
    path("checkin/<str:day>/", views.done, name="done"),
    path("recovery/", views.recovery, name="recovery"),
    path("recovery/lapses/<int:use_id>/note/", views.lapse_note, name="lapse_note"),
    path("withdrawal/", views.withdrawal, name="withdrawal"),
    path("withdrawal/talk-to-staff/", views.talk_to_staff, name="talk_to_staff"),
    # The service worker's scope is the folder it is served from: the site root.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
]
