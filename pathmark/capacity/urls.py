from django.urls import path

from . import views

app_name = "capacity"
urlpatterns = [
    path("", views.index, name="index"),
    path("partnership/", views.partnership, name="partnership"),
    path("<int:capacity_id>/", views.result, name="result"),
    path("<int:capacity_id>/area/<int:number>/", views.area, name="area"),
    path("<int:capacity_id>/review/", views.review, name="review"),
    path("<int:capacity_id>/discard/", views.discard, name="discard"),
]
