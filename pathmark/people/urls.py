from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("register/", views.register, name="register"),
    path("immigration-statuses/", views.immigration_statuses, name="immigration_statuses"),
    path(
        "immigration-statuses/<int:status_id>/",
        views.immigration_statuses,
        name="edit_immigration_status",
    ),
    path("<int:person_id>/", views.detail, name="detail"),
    path("<int:person_id>/edit/", views.edit, name="edit"),
    path("<int:person_id>/household/", views.household, name="household"),
    path("<int:person_id>/merge/<int:other_id>/", views.merge, name="merge"),
    path(
        "<int:person_id>/duplicates/<int:flag_id>/not-the-same/",
        views.dismiss_duplicate,
        name="dismiss_duplicate",
    ),
    path("<int:person_id>/consent/", views.add_consent, name="add_consent"),
    path(
        "<int:person_id>/consent/<int:consent_id>/withdraw/",
        views.withdraw_consent,
        name="withdraw_consent",
    ),
]
