"""WSGI entry point: ordinary HTTP is served by worker processes (gunicorn) in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunflower.settings")
application = get_wsgi_application()
