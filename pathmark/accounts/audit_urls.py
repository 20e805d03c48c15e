"""The audit log page's URL (the page is in accounts/audit_log.py; see there why)."""

from django.urls import path

from . import audit_log

app_name = "audit"
urlpatterns = [path("", audit_log.audit_list, name="list")]
