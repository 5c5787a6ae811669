"""Every response forbids framing (clickjacking of claim, phone reveal, deploy), type sniffing
and sending its address to other hosts; a view's own header wins."""

from __future__ import annotations

import pytest

from app.web import SECURITY_HEADERS


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/api/v1/tasks", "/no-such-page"])
def test_security_headers_on_pages_api_and_errors(client, path):
    resp = client.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert set(SECURITY_HEADERS) <= set(resp.headers.keys())
