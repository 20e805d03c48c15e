from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("people/<int:person_id>/export/", views.export, name="export"),
    path("people/<int:person_id>/restrict/", views.restrict, name="restrict"),
    path("people/<int:person_id>/lift-restriction/", views.lift, name="lift"),
    path("people/<int:person_id>/erase/", views.erase, name="erase"),
]
