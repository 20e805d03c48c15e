from django.urls import path

from . import views

app_name = "journeys"
urlpatterns = [
    path("person/<int:person_id>/", views.person_journey, name="person"),
    path("person/<int:person_id>/summary/", views.summary, name="summary"),
    path("cohort/", views.cohort, name="cohort"),
    path("norms/", views.host_norms, name="norms"),
]
