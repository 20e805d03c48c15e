from django.urls import path

from . import views

app_name = "selfservice"
urlpatterns = [
    path("person/<int:person_id>/link/", views.issue, name="issue"),
    path("links/<int:link_id>/revoke/", views.revoke, name="revoke"),
    # The client's own page: short, for a QR code read at arm's length.
    path("c/<str:secret>/", views.client, name="client"),
]
