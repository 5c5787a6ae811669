"""Small helpers for views that render pages."""

from __future__ import annotations

from flask import render_template, request


def form_page(template: str, **context):
    """Render a form page: 200 when first shown, 400 when a submission had errors (so tests and
    logs tell a rejected form from a shown one)."""
    return render_template(template, **context), 400 if request.method == "POST" else 200
