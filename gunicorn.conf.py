"""gunicorn reads ``./gunicorn.conf.py`` by itself when started in the checkout.

The settings live in the package (``dashboard/gunicorn_config.py``) so that an installed wheel
carries them too: there, start ``gunicorn -c python:dashboard.gunicorn_config``.
"""

from dashboard.gunicorn_config import *  # noqa: F403  (its __all__: settings and hooks)
