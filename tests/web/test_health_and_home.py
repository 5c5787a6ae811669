"""/healthz, the home page, the OpenAPI document and the token commands."""

from __future__ import annotations

import re

import time_machine
from sqlalchemy import select

from app.auth.cli import tokens_cli


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_healthz_ok_when_coverage_is_far(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.json
    assert body["database"]["ok"] is True
    assert body["calendar"]["covered_through"] == "2026-12-31"
    assert body["calendar"]["days_remaining"] == 213
    assert "warning" not in body["calendar"]
    assert set(body["rules"]["jurisdictions"]) == {"jiangsu", "shenzhen"}
    assert body["rules"]["last_error"] is None
    assert body["status"] == "ok"


@time_machine.travel("2026-11-21 10:00 +0800", tick=False)
def test_healthz_warns_when_fewer_than_60_days_remain(client):
    body = client.get("/healthz").json
    assert body["calendar"]["days_remaining"] == 40
    assert "2027.yaml" in body["calendar"]["warning"]
    assert body["status"] == "warning"


def test_home_page_in_chinese(client):
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "差评处置系统" in html and "评价数" in html and 'lang="zh-CN"' in html


def test_home_figures_leave_out_ratings_found_invalid(client, app_ctx, bad_rating):
    """A rating found invalid on appeal (申诉成立) leaves the bad-review count and the
    ratings it is a share of."""
    from app.cases.models import Case
    from app.extensions import db
    from app.reviews.intake import intake

    results = intake([bad_rating(), bad_rating(), bad_rating(level="满意", tags=[], text="")],
                     source="test")
    case = db.session.scalar(select(Case).where(Case.number == results[0].case_number))
    case.invalid = True
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    cards = dict(re.findall(r'<div class="label">([^<]+)</div><div class="value[^"]*">([\d,.]+)',
                            html))
    assert cards == {"评价数": "2", "差评数": "1", "差评率": "50.00", "差评工单": "2"}
    assert "在办 2" in html
    channels = re.search(r'<h2>评价渠道</h2>.*?</table>', html, re.S).group(0)
    counts = [int(n.replace(",", "")) for n in re.findall(r'class="num">([\d,]+)<', channels)]
    assert sum(counts) == 2  # the channels add up to 评价数


def _ratings_card(html: str) -> str:
    return re.search(r'<div class="label">评价数</div><div class="value[^"]*">([\d,]+)', html)[1]


def test_visitors_get_figures_counted_at_most_every_home_figures_seconds(
        app, client, app_ctx, bad_rating, make_user, monkeypatch):
    """A crowd of visitors costs one count per HOME_FIGURES_SECONDS; the signed-in see the
    figures as of their request."""
    from app.home import visitors
    from app.reviews.intake import intake
    from tests.web.conftest import login

    monkeypatch.setitem(app.config, "HOME_FIGURES_SECONDS", 30)
    monkeypatch.setitem(app.extensions, visitors._KEY, None)  # and taken away after
    intake([bad_rating()], source="test")
    with time_machine.travel("2026-06-01 10:00:00 +0800", tick=False) as clock:
        assert _ratings_card(client.get("/").get_data(as_text=True)) == "1"
        intake([bad_rating(), bad_rating()], source="test")
        clock.move_to("2026-06-01 10:00:29 +0800")
        assert _ratings_card(client.get("/").get_data(as_text=True)) == "1"  # as counted
        staff = app.test_client()
        make_user("wang")
        login(staff, "wang")
        assert _ratings_card(staff.get("/").get_data(as_text=True)) == "3"
        clock.move_to("2026-06-01 10:00:30 +0800")
        assert _ratings_card(client.get("/").get_data(as_text=True)) == "3"


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/reviews" in spec["paths"]
    assert "ReviewIn" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["ApiToken"]["scheme"] == "bearer"


def test_swagger_ui_uses_local_assets(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http" not in html.replace('"validatorUrl": null', "").split("<script>")[0]


def test_api_404_is_json(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.json["code"] == 404


def test_token_commands(app_ctx):
    runner = app_ctx.test_cli_runner()
    created = runner.invoke(tokens_cli, ["create", "zwfw-app"])
    assert created.exit_code == 0 and created.output.startswith("hcp_")
    again = runner.invoke(tokens_cli, ["create", "zwfw-app"])
    assert again.exit_code == 1 and "exists" in again.output
    listed = runner.invoke(tokens_cli, ["list"])
    assert "zwfw-app" in listed.output and "live" in listed.output
    assert created.output.strip() not in listed.output
    assert runner.invoke(tokens_cli, ["revoke", "zwfw-app"]).exit_code == 0
    assert runner.invoke(tokens_cli, ["revoke", "zwfw-app"]).exit_code == 1


def test_healthz_records_the_rule_versions_in_force(client):
    from sqlalchemy import select

    from app.extensions import db
    from app.rules.models import RuleVersion

    client.get("/healthz")
    rows = db.session.scalars(select(RuleVersion)).all()
    assert {r.jurisdiction for r in rows} == {"jiangsu", "shenzhen"}
    assert all(len(r.content_hash) == 64 and r.loaded_at for r in rows)


def test_a_rejected_calendar_file_is_named_relative_and_in_english(client, tmp_path,
                                                                   monkeypatch):
    """/healthz and the English home page show a calendar error as a rule error is shown:
    the file relative to the project, the message in English; /healthz lists what is not
    read."""
    import dataclasses
    import os
    import shutil

    from app import workdays
    from app.config import ROOT

    state = workdays._state
    saved = {f.name: getattr(state, f.name) for f in dataclasses.fields(state) if f.name != "lock"}
    shutil.copytree(ROOT / "calendars", tmp_path / "calendars")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calendars" / "notes.txt").write_text("x", encoding="utf-8")
    try:
        workdays.configure(tmp_path / "calendars", reload_seconds=0)
        path = tmp_path / "calendars" / "cn" / "2026.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("year: 2026", "year: 2027"),
                        encoding="utf-8")
        os.utime(path, ns=(1, path.stat().st_mtime_ns + 10**9))
        calendar = client.get("/healthz").json["calendar"]
        assert calendar["ignored_files"] == ["calendars/notes.txt"]
        error = calendar["last_error"]
        assert re.fullmatch(r"calendars/cn/2026\.yaml:\d+: year: 2027 does not match the file "
                            r"name 2026\.yaml", error)
        html = client.get("/?lang=en").get_data(as_text=True)
        assert "A calendar file is wrong; the previous version stays in force:" in html
        assert f"<code>{error}</code>" in html
    finally:
        for name, value in saved.items():
            setattr(state, name, value)


@time_machine.travel("2027-01-10 10:00 +0800", tick=False)
def test_healthz_says_how_long_ago_the_calendar_ended(client):
    body = client.get("/healthz").json
    assert body["calendar"]["days_remaining"] == -10
    assert body["calendar"]["warning"] == (
        "the calendar ended 10 days ago (2026-12-31): deadlines since count weekends only; "
        "add calendars/cn/2027.yaml")
    home = client.get("/").get_data(as_text=True)
    assert "工作日历已于 2026-12-31 到期" in home and "剩余 -10 天" not in home


def test_healthz_warns_when_cases_wait_for_a_scheduler_not_running(client, app_ctx, bad_rating,
                                                                   time_machine):
    """Intake leaves big batches to the scheduler: cases still waiting minutes later mean no
    scheduler runs."""
    from app.reviews.intake import intake

    time_machine.move_to("2026-11-23 10:00 +0800", tick=False)
    intake([bad_rating(), bad_rating()], source="test")  # not started: the scheduler's work
    body = client.get("/healthz").json
    assert body["scheduler"]["cases_waiting_for_engine"] == 2
    assert "warning" not in body["scheduler"]  # just received
    time_machine.move_to("2026-11-23 10:05 +0800", tick=False)
    body = client.get("/healthz").json
    assert body["scheduler"]["warning"] == (
        "2 cases have waited more than 3 minutes to start on the engine: is the scheduler "
        "running? (make run starts it; with gunicorn run `flask scheduler run`)")
    assert body["status"] == "warning"


def test_healthz_names_no_database_host_when_the_database_is_down(client, monkeypatch):
    """/healthz is public: the error's class only; the log has the host and port."""
    from sqlalchemy.exc import OperationalError

    from app.health import checks

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception(
            'connection to server at "db.internal" (10.1.2.3), port 5432 failed'))

    monkeypatch.setattr(checks.db.session, "execute", down)
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.json["database"] == {"ok": False, "error": "OperationalError (see the log)"}
    assert "10.1.2.3" not in resp.get_data(as_text=True)


def test_api_405_is_json_and_says_what_is_allowed(client):
    resp = client.delete("/api/v1/reviews")
    assert resp.status_code == 405 and resp.is_json
    assert set(resp.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


@time_machine.travel("2026-11-21 10:00 +0800", tick=False)
def test_healthz_names_the_next_calendar_file_in_the_configured_directory(client,
                                                                         calendar_copy):
    """CALENDARS_DIR elsewhere: the warnings name the file there, not calendars/cn/."""
    expected = calendar_copy.root / "cn" / "2027.yaml"  # outside the project: absolute
    assert client.get("/healthz").json["calendar"]["warning"] == (
        f"the calendar covers only 40 more days: add {expected} when the State Council "
        "publishes it")
    with time_machine.travel("2027-01-10 10:00 +0800", tick=False):
        assert client.get("/healthz").json["calendar"]["warning"].endswith(f"add {expected}")
