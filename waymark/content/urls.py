from django.urls import path

from waymark.content import views

app_name = "content"
urlpatterns = [
    path("learn/", views.library, name="library"),
    # Before <slug>: "evidence" is never an article's slug (tests/test_evidence.py).
    path("learn/evidence/", views.evidence, name="evidence"),
    path("learn/<slug:slug>/", views.article, name="article"),
]
