from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.sent, name="sent"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:referral_id>/", views.detail, name="detail"),
    path("<int:referral_id>/change/", views.change, name="change"),
    path("<int:referral_id>/rating/", views.rate, name="rate"),
    path("from-plan-action/<int:action_id>/", views.from_plan_action, name="from_plan_action"),
    path("where-to-refer/<int:person_id>/", views.where_to_refer, name="where_to_refer"),
]
