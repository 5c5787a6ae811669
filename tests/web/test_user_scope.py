"""A user of a region role always has a region: the administration pages refuse the all-zero
code, which would be every region nationwide."""

from __future__ import annotations

from app.auth.users import by_username
from tests.web.test_admin import NEW_USER


def test_admin_refuses_the_all_zero_region(admin_client):
    data = {**NEW_USER, "role": "hotline", "department_code": "", "region_code": "000000000000"}
    resp = admin_client.post("/admin/users/new", data=data)
    assert resp.status_code == 400 and "12 位数字" in resp.get_data(as_text=True)
    assert by_username(NEW_USER["username"]) is None
