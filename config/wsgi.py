import os

from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Import every view and the API's schemas now rather than in the first request (about 1 to 3 s), so the
# first user of a fresh server does not wait for them; with gunicorn --preload, once, before the fork (and
# with no database connection left open for the forked workers to share).
get_resolver().url_patterns  # noqa: B018
connections.close_all()
