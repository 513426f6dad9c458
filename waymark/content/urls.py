from django.urls import path

from waymark.content import views

app_name = "content"
urlpatterns = [
    path("learn/", views.library, name="library"),
    path("learn/<slug:slug>/", views.article, name="article"),
]
