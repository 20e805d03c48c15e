"""WSGI entry point for production servers (`gunicorn pathmark.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathmark.settings")
application = get_wsgi_application()
