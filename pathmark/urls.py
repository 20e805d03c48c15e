"""Every URL of Pathmark, one include per app."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("pathmark.site.urls")),
    path("accounts/", include("pathmark.accounts.urls")),
    path("people/", include("pathmark.people.urls")),
    path("assessments/", include("pathmark.assessments.urls")),
    path("journeys/", include("pathmark.journeys.urls")),
    path("plans/", include("pathmark.plans.urls")),
    path("self/", include("pathmark.selfservice.urls")),
    path("privacy/", include("pathmark.privacy.urls")),
    path("referrals/", include("pathmark.referrals.urls")),
    path("transfer/", include("pathmark.transfer.urls")),
    path("reports/", include("pathmark.reports.urls")),
    path("directory/", include("pathmark.directory.urls")),
    path("capacity/", include("pathmark.capacity.urls")),
    path("evidence/", include("pathmark.evidence.urls")),
    path("audit/", include("pathmark.accounts.audit_urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
