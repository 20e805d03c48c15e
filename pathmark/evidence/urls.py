from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.bank, name="bank"),
    path("new/", views.add, name="add"),
    path("shortlist/", views.case_studies, name="shortlist"),
    path("<int:intervention_id>/", views.detail, name="detail"),
    path("<int:intervention_id>/edit/", views.edit, name="edit"),
    path("<int:intervention_id>/funding/", views.funding, name="funding"),
    path("<int:intervention_id>/evidence/", views.evidence, name="evidence"),
    path("items/<int:item_id>/", views.download, name="download"),
    path("items/<int:item_id>/remove/", views.remove, name="remove"),
]
