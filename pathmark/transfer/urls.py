from django.urls import path

from . import directory_views, views

app_name = "transfer"
urlpatterns = [
    path("", views.index, name="index"),
    path("imports/<int:job_id>/", views.job, name="job"),
    path("imports/<int:job_id>/confirm/", views.confirm, name="confirm"),
    path("imports/<int:job_id>/cancel/", views.cancel, name="cancel"),
    path("export/", views.export, name="export"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
    path("exports/<int:export_id>/delete/", views.export_discard, name="export_discard"),
    path("host-survey/", views.host_survey, name="host_survey"),
    path("directory/", directory_views.upload, name="directory_upload"),
    path("directory/<int:directory_job_id>/", directory_views.job, name="directory_job"),
    path(
        "directory/<int:directory_job_id>/confirm/",
        directory_views.confirm,
        name="directory_confirm",
    ),
    path(
        "directory/<int:directory_job_id>/cancel/",
        directory_views.cancel,
        name="directory_cancel",
    ),
    path("templates/<slug:kind>.<slug:file_format>", views.template, name="template"),
]
