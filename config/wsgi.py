"""The WSGI application (`gunicorn config.wsgi`).

After start-up, gc.freeze() moves everything loaded so far (Django, the URLconf, the
templates, botocore's models) out of the collector's sight: a full collection during a grid
request then scans only what requests made (benchmarks/README.md, "Figures behind design
choices").
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
gc.collect()
gc.freeze()
