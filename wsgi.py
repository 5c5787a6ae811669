"""WSGI entry point: `gunicorn wsgi:app`, and `flask` finds it too.

A WSGI server refuses to start with the development SECRET_KEY (see README, Configuration)."""

from app import create_app, serving
from app.config import require_secret_key

app = create_app()
if serving.serves_requests(serving.cli_context()):
    require_secret_key(app)
