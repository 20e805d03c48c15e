from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("person/<int:person_id>/start/", views.start, name="start"),
    path("<int:assessment_id>/", views.result, name="result"),
    path("<int:assessment_id>/domain/<int:number>/", views.domain, name="domain"),
    path("<int:assessment_id>/review/", views.review, name="review"),
    path("<int:assessment_id>/discard/", views.discard, name="discard"),
    path("<int:assessment_id>/set-aside/", views.set_aside, name="set_aside"),
    path("<int:assessment_id>/lift-dispute/", views.lift_dispute, name="lift_dispute"),
]
