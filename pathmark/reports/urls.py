from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("needs/", views.needs, name="needs"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("what-works/", views.what_works, name="what_works"),
    path("referrals/", views.referrals, name="referrals"),
    path("skills/", views.skills, name="skills"),
    path("funder-report.pdf", views.funder, name="funder"),
]
