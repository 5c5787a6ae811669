"""The Content-Security-Policy (app/web/__init__.py): every page carries it, and it runs only the
site's own script files, so a script that an escaping bug let into a page does not run. The
pages hold no inline code the policy would refuse (which would break them): no <script> with
code in it, no on*= handler, no style attribute. The JSON API keeps its JSON, and the diagram
XML keeps its own sandboxing policy. The browser side: tests/e2e/test_csp.py."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.processes import service as processes
from app.web import CONTENT_SECURITY_POLICY
from tests.materials.conftest import open_office, sign_in


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


class InlineCode(HTMLParser):
    """What in a page the policy would refuse to run or apply, as (tag, what) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.found += [(tag, name) for name in found if name.startswith("on") or name == "style"]
        self.found += [(tag, "javascript: URL") for value in found.values()
                       if (value or "").strip().lower().startswith("javascript:")]
        if tag == "style":
            self.found.append((tag, "inline stylesheet"))
        if tag == "script" and "src" not in found and found.get("type") != "application/json":
            self._script = found

    def handle_data(self, data: str) -> None:
        if self._script is not None and data.strip():
            self.found.append(("script", data.strip()[:60]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def inline_code(html: str) -> list[tuple[str, str]]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_policy_runs_only_the_sites_own_files():
    policy = directives(CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    # style attributes: only the modeler properties panel's "height: 100%", by its hash
    assert policy["style-src-attr"][0] == "'unsafe-hashes'"
    assert all(value.startswith("'sha256-") for value in policy["style-src-attr"][1:])
    assert policy["object-src"] == policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_the_parser_finds_inline_code():
    page = ('<script>alert(1)</script><script type="application/json">{"a": 1}</script>'
            '<script src="/static/js/case.js"></script><img src="x" onerror="alert(1)">'
            '<a href=" JavaScript:alert(1)">x</a><p style="color: red">x</p>'
            '<style>p { color: red }</style>')
    assert inline_code(page) == [("script", "alert(1)"), ("img", "onerror"),
                                 ("a", "javascript: URL"), ("p", "style"),
                                 ("style", "inline stylesheet")]


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/api/v1/docs"])
def test_pages_carry_the_policy_and_no_inline_code(client, path):
    resp = client.get(path)
    assert resp.mimetype == "text/html"
    assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert inline_code(resp.get_data(as_text=True)) == []


def test_swagger_ui_is_started_by_a_file_with_the_apps_settings(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert '<script src="/static/js/swagger-ui-start.js">' in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert '{"validatorUrl": null}' in html  # OPENAPI_SWAGGER_UI_CONFIG: no call to swagger.io
    assert client.get("/static/js/swagger-ui-start.js").status_code == 200


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/departments",
                                  "/admin/departments/new", "/admin/tokens", "/logout",
                                  "/modeler/", "/modeler/shenzhen/bad_review.bpmn"])
def test_signed_in_pages_carry_the_policy_and_no_inline_code(admin_client, path):
    processes.current("shenzhen")
    resp = admin_client.get(path)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert inline_code(resp.get_data(as_text=True)) == []


def test_the_new_token_page_has_no_inline_handler(admin_client):
    resp = admin_client.post("/admin/tokens", data={"name": "csp-check", "user_id": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 201
    assert inline_code(html) == []
    assert '<input class="input mono token" id="token" readonly' in html
    assert "data-select-on-focus" in html and "js/selectonfocus.js" in html


@pytest.mark.parametrize("path", ["/api/v1/tasks", "/api/v1/openapi.json", "/healthz"])
def test_json_keeps_its_type_under_the_policy(client, path):
    """JSON answers stay JSON; the policy on them is harmless (opened as a page, they run
    nothing) and covers an error page the API might send."""
    resp = client.get(path)
    assert resp.mimetype == "application/json"
    assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_a_caseworkers_pages_carry_no_inline_code(client, bad_rating):
    """Home, inbox, the task page (with its materials) and the case page (its diagram)."""
    office = open_office(client, bad_rating)
    task_id = office.open_task("contact")["task_id"]
    sign_in(client, "worker")
    for path in ("/", "/inbox", f"/tasks/{task_id}", f"/cases/{office.number}"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert inline_code(resp.get_data(as_text=True)) == [], path
