from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("services/<str:service_id>/", views.detail, name="detail"),
    path("services/<str:service_id>/edit/", views.edit, name="edit"),
]
