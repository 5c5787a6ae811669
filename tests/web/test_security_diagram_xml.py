"""The case's diagram XML, opened as a page, runs nothing: a supervisor may deploy a diagram
holding an XHTML <script>, and a browser renders XML of this site as a document."""

from __future__ import annotations

from tests.materials.conftest import open_office, sign_in
from tests.modeler.test_deploy import SHIPPED, deploy
from tests.modeler.test_deploy import sign_in as modeler_sign_in

SCRIPTED = SHIPPED.replace(
    "</bpmn:definitions>",
    '<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(document.domain)'
    "</html:script></bpmn:definitions>")


def test_diagram_xml_is_served_sandboxed(client, bad_rating):
    assert SCRIPTED != SHIPPED
    modeler_sign_in(client, "sz_boss", "supervisor")
    assert deploy(client, SCRIPTED).status_code == 201
    client.post("/logout")
    office = open_office(client, bad_rating)
    sign_in(client, "root")
    resp = client.get(f"/cases/{office.number}/diagram/bad_review.bpmn")
    assert resp.status_code == 200 and "html:script" in resp.get_data(as_text=True)
    policy = [p.strip() for p in resp.headers["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
