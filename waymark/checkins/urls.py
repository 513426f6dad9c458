from django.urls import path

from waymark.checkins import counter_views, pwa, views

app_name = "checkins"
urlpatterns = [
    path("checkin/", views.today, name="today"),
    path("checkin/<str:day>/", views.done, name="done"),
    path("recovery/", views.recovery, name="recovery"),
    path("recovery/counters/add/", counter_views.add_counter, name="add_counter"),
    path("recovery/counters/<str:substance>/", counter_views.edit_counter, name="edit_counter"),
    path(
        "recovery/counters/<str:substance>/stop/", counter_views.stop_counter, name="stop_counter"
    ),
    path("recovery/lapses/<int:use_id>/note/", views.lapse_note, name="lapse_note"),
    path("withdrawal/", views.withdrawal, name="withdrawal"),
    path("withdrawal/talk-to-staff/", views.talk_to_staff, name="talk_to_staff"),
    # The service worker's scope is the folder it is served from: the site root.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
]
