"""GET /api/v1/reviews: filters, paging, masking."""

from __future__ import annotations

import json

URL = "/api/v1/reviews"


def post_all(client, auth, items):
    resp = client.post(URL, json=items, headers=auth)
    assert resp.status_code == 200, resp.json


def test_list_filters_page_and_mask(client, auth, rating, bad_rating):
    post_all(client, auth, [
        rating(rated_at="2026-03-01T10:00:00+08:00"),
        bad_rating(rated_at="2026-03-02T10:00:00+08:00", channel="hall_tablet"),
        rating(rated_at="2026-03-03T10:00:00+08:00", region_code="320106000000"),
    ])
    resp = client.get(URL, headers=auth)
    assert resp.status_code == 200
    rows = resp.json
    assert [r["rated_at"][:10] for r in rows] == ["2026-03-03", "2026-03-02", "2026-03-01"]
    assert all(r["reviewer_name"] == "张*" and r["reviewer_phone"] == "138****5678" for r in rows)
    assert "13812345678" not in resp.get_data(as_text=True)

    bad = client.get(URL, query_string={"bad": "true"}, headers=auth).json
    assert len(bad) == 1 and bad[0]["case_number"].startswith("CP-")
    assert len(client.get(URL, query_string={"region": "32"}, headers=auth).json) == 1
    assert len(client.get(URL, query_string={"channel": "hall_tablet"}, headers=auth).json) == 1
    window = client.get(URL, query_string={"rated_from": "2026-03-02T00:00:00",
                                           "rated_to": "2026-03-03T00:00:00"}, headers=auth).json
    assert len(window) == 1

    page = client.get(URL, query_string={"page": 2, "page_size": 2}, headers=auth)
    assert len(page.json) == 1
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    typo = client.get(URL, query_string={"chanel": "sms"}, headers=auth)
    assert typo.status_code == 422 and typo.json["errors"]["query"] == {
        "chanel": ["Unknown parameter."]}
    far = client.get(URL, query_string={"page": 10**20}, headers=auth)  # past SQL's integers
    assert far.status_code == 200 and far.json == []


def test_list_needs_a_token(client):
    assert client.get(URL).status_code == 401


def test_bad_filter_is_422(client, auth):
    resp = client.get(URL, query_string={"channel": "fax"}, headers=auth)
    assert resp.status_code == 422 and "channel" in resp.json["errors"]["query"]
