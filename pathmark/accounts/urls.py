from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import invitation_views, organisation_views, partnership_views, views

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
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
    # Invitations the signed-in person answers (an existing account joins an organisation).
    path("invitations/", invitation_views.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/accept/",
        invitation_views.accept_invitation,
        name="accept_invitation",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        invitation_views.decline_invitation,
        name="decline_invitation",
    ),
    path("users/", views.users, name="users"),
    path("partnership/accounts/", partnership_views.accounts, name="partnership_accounts"),
    path(
        "partnership/accounts/<int:user_id>/",
        partnership_views.account,
        name="partnership_account",
    ),
    path("users/add/", views.add_member, name="add_member"),
    path("users/two-factor/", views.two_factor_requirement, name="two_factor_requirement"),
    path(
        "users/invitations/<int:invitation_id>/withdraw/",
        views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("users/<int:user_id>/deactivate/", views.deactivate_user, name="deactivate_user"),
    path("users/<int:user_id>/reactivate/", views.reactivate_user, name="reactivate_user"),
    path(
        "users/<int:user_id>/reset-two-factor/",
        views.reset_user_two_factor,
        name="reset_user_two_factor",
    ),
    path("users/<int:user_id>/unlock/", views.unlock_user, name="unlock_user"),
    path("users/<int:user_id>/role/", views.change_role, name="change_role"),
    path("users/<int:user_id>/remove/", views.remove_member, name="remove_member"),
    path(
        "users/<int:user_id>/set-password-link/",
        views.send_set_password_link,
        name="send_set_password_link",
    ),
    # The organisation's own settings, and the partnership's organisations: administration
    # pages beside the users' (`organisation_views`: they enrol administrators, so they live
    # above the organisations app).
    path(
        "organisation/settings/",
        organisation_views.organisation_settings,
        name="organisation_settings",
    ),
    path("organisations/", organisation_views.partnership, name="organisations"),
    path("organisations/new/", organisation_views.new_organisation, name="new_organisation"),
]
