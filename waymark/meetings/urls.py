from django.urls import path

from waymark.meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/<int:meeting_id>/favourite/", views.favourite, name="favourite"),
    path("meetings/<int:meeting_id>/went/", views.attend, name="attend"),
]
