from django.urls import path

from waymark.audit import views

app_name = "audit"
urlpatterns = [
    path("me/who-has-looked/", views.my_access_log, name="my_access_log"),
]
