from django.urls import path

from . import views

app_name = "journeys"
urlpatterns = [
    path("person/<int:person_id>/", views.person_journey, name="person"),
    path("person/<int:person_id>/summary/", views.summary, name="summary"),
    path("person/<int:person_id>/key-worker/", views.key_worker, name="key_worker"),
    path("person/<int:person_id>/events/", views.add_life_event, name="add_life_event"),
    path(
        "person/<int:person_id>/events/<int:event_id>/remove/",
        views.remove_life_event,
        name="remove_life_event",
    ),
    path("cohort/", views.cohort, name="cohort"),
    path("cohort/reviewed/", views.review_worklist, name="review_worklist"),
    path("mine/", views.my_caseload, name="mine"),
    path("norms/", views.host_norms, name="norms"),
]
