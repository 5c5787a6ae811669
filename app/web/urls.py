"""Links: safe redirect targets and the current URL with some query arguments changed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request, url_for


def local_target(value: str | None) -> str | None:
    """`value` if it is a path on this site (`/inbox?page=2`), else None: no scheme, no host,
    no `//host` or `/\\host` tricks, no control characters (open-redirect guard)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def current_path() -> str:
    """The path and query of this request (`/admin/users?page=2`), for `next=` links."""
    qs = request.query_string.decode("latin-1")
    return request.path + (f"?{qs}" if qs else "")


def url_with(**changes) -> str:
    """This page's URL with query arguments replaced (None removes one); filters and sorting
    stay in the URL, so every view can be bookmarked. `url_with(page=3)` in a pager."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(url_with=url_with, current_path=current_path)
