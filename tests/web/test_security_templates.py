"""Stored XSS through translated text: `_()` in a template escapes what it is given, so the
names a diagram's editor types (step titles, form labels and options, instructions) are shown
as text on every page, not run as markup."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from flask import render_template_string

from app.processes import service as processes
from tests.materials.conftest import open_office, sign_in
from tests.modeler.test_deploy import SHIPPED, deploy
from tests.modeler.test_deploy import sign_in as modeler_sign_in

PAYLOAD = '<img src=x onerror="alert(1)">'
# the step 联系评价人 as a supervisor could deploy it: its title, instructions, a field's label
# and an option's name carry markup
TAMPERED = (SHIPPED
            .replace('name="联系评价人"', f"name={quoteattr('联系评价人' + PAYLOAD)}", 1)
            .replace("<bpmn:documentation>责任部门经办人联系评价人",
                     "<bpmn:documentation>&lt;script&gt;alert(2)&lt;/script&gt;责任部门经办人联系评价人",
                     1)
            .replace('label="联系结果"', 'label="联系结果&lt;b&gt;"', 1)
            .replace('name="已联系评价人"', 'name="已联系&lt;i&gt;"', 1))


def test_translating_a_value_escapes_it(app_ctx):
    with app_ctx.test_request_context():
        html = render_template_string("{{ _(x) }}|{{ _('到“%(pool)s”认领新任务。', pool=x) }}",
                                      x="<script>alert(1)</script>")
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_a_percent_sign_in_a_value_is_kept(app_ctx):
    with app_ctx.test_request_context():
        assert render_template_string("{{ _(x) }}", x="完成 100%") == "完成 100%"


def test_literal_messages_still_translate(app_ctx):
    with app_ctx.test_request_context("/?lang=en"):
        html = render_template_string(
            "{{ _('评价人') }}|{{ _('到“%(pool)s”认领新任务。', pool='<b>') }}")
    assert html == 'Reviewer|Claim new tasks in "&lt;b&gt;".'


def test_diagram_text_is_escaped_on_the_task_inbox_and_case_pages(client, bad_rating):
    assert TAMPERED.count("&lt;") == SHIPPED.count("&lt;") + 5  # every replacement made
    modeler_sign_in(client, "sz_boss", "supervisor")
    resp = deploy(client, TAMPERED)
    assert resp.status_code == 201, resp.get_json()
    client.post("/logout")
    office = open_office(client, bad_rating)
    assert office.case()["process_version"]["id"] == processes.current("shenzhen").id
    task_id = office.claim("worker")
    sign_in(client, "worker")
    pages = (f"/tasks/{task_id}", "/inbox", f"/cases/{office.number}")
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert "联系评价人&lt;img src=x" in html, path
        for markup in ("<img src=x", "<script>alert(2)", "联系结果<b>", "已联系<i>"):
            assert markup not in html, (path, markup)
    task_page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in task_page
    assert "联系结果&lt;b&gt;" in task_page and "已联系&lt;i&gt;" in task_page
