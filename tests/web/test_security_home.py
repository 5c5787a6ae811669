"""The home page's latest cases (最新差评工单): the figures are public, the cases are not. A
visitor sees none, a signed-in user those they may open."""

from __future__ import annotations

from tests.materials.conftest import open_office, sign_in


def test_latest_cases_only_to_those_who_may_see_them(client, bad_rating):
    office = open_office(client, bad_rating)
    visitor = client.get("/").get_data(as_text=True)
    assert office.number not in visitor and "最新差评工单" not in visitor
    assert "差评率" in visitor  # the figures stay public
    for who, sees in (("outsider", False), ("js_hotline", False), ("worker", True),
                      ("hotline", True), ("root", True)):
        sign_in(client, who)
        page = client.get("/").get_data(as_text=True)
        assert (office.number in page) is sees, who
        assert "最新差评工单" in page
        client.post("/logout")
