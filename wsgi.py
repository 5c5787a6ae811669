"""WSGI entry point: `gunicorn wsgi:app`, and `flask` finds it too."""

from app import create_app

app = create_app()
