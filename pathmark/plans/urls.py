from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("from-assessment/<int:assessment_id>/", views.draft, name="draft"),
    path("<int:plan_id>/", views.detail, name="detail"),
    path("<int:plan_id>/goals/add/", views.add_goal, name="add_goal"),
    path("<int:plan_id>/agree/", views.agree, name="agree"),
    path("<int:plan_id>/review/", views.review, name="review"),
    path("<int:plan_id>/close/", views.close, name="close"),
    path("<int:plan_id>/history/", views.history, name="history"),
    path("<int:plan_id>/print/", views.printable, name="print"),
    path("goals/<int:goal_id>/", views.edit_goal, name="edit_goal"),
    path("goals/<int:goal_id>/actions/add/", views.add_action, name="add_action"),
    path("actions/<int:action_id>/", views.edit_action, name="edit_action"),
]
