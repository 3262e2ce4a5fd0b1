"""WSGI entry point, served by waitress through ``harborlight serve``."""

import os

from django.core.wsgi import get_wsgi_application

from harborlight.intake.assist import prepare
from harborlight.vocab.indicators import build_catalog

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harborlight.settings")
application = get_wsgi_application()
prepare(build_catalog())  # the narrative cues, read once before the first tip
