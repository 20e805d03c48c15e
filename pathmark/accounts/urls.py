from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("organisation/", views.switch_organisation, name="switch_organisation"),
    path("", views.account, name="account"),
    path("password/", views.change_password, name="password_change"),
    path("backup-codes/", views.renew_backup_codes, name="renew_backup_codes"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("users/", views.users, name="users"),
    path("users/two-factor/", views.two_factor_requirement, name="two_factor_requirement"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("users/<int:user_id>/deactivate/", views.deactivate_user, name="deactivate_user"),
    path("users/<int:user_id>/reactivate/", views.reactivate_user, name="reactivate_user"),
    path(
        "users/<int:user_id>/reset-two-factor/",
        views.reset_user_two_factor,
        name="reset_user_two_factor",
    ),
    path("users/<int:user_id>/unlock/", views.unlock_user, name="unlock_user"),
]
