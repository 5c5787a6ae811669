"""Language: Chinese by default, English on the switch; the English catalog is complete and
matches the code; times in Beijing time with Babel's formats."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from app.auth.models import ROLES
from app.cases.models import RESPONSIBILITY_LABELS, STATUS_LABELS
from app.reviews import vocab
from app.web import catalog
from app.web.i18n import day, when
from app.web.terms import TERMS


def test_chinese_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "评价数" in html and "登录工作台" in html


def test_switch_to_english_and_back(client):
    resp = client.get("/lang/en?next=/login")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert any(c.startswith("lang=en;") and "HttpOnly" in c
               for c in resp.headers.getlist("Set-Cookie"))
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in to the workspace" in html
    assert "Ratings" in client.get("/").get_data(as_text=True)
    client.get("/lang/zh_CN?next=/")
    assert "评价数" in client.get("/").get_data(as_text=True)


def test_query_parameter_is_honoured_and_remembered(client):
    assert "Sign in to the workspace" in client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_language_cookie_alone_is_enough(client):
    client.set_cookie("lang", "en")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_switch_never_leaves_the_site(client, target):
    assert client.get(f"/lang/en?next={target}").headers["Location"] == "/"


def test_unknown_language_changes_nothing(client):
    client.get("/lang/fr?next=/")
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


def test_english_catalog_translates_every_message():
    with open(catalog.po_path("en"), "rb") as fh:
        po = read_po(fh, locale="en")
    assert not po.fuzzy, "the catalog header is marked fuzzy: pybabel compile would skip it"
    bad = [m.id for m in po if m.id and (m.fuzzy or not all(
        m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert bad == [], f"untranslated or fuzzy: {bad}"


# Han characters, CJK punctuation (、。「」) and full-width forms (：，（）；！？): curly quotes,
# the ellipsis and the dash are English typography too
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff01-\uff5e]")


def test_english_has_no_chinese_words_or_punctuation():
    """Chinese left in an English string, or ：（）around English words, reads as a slip."""
    found = {m.id: s for m in catalog.read("en") if m.id
             for s in (m.string if isinstance(m.string, tuple) else (m.string,))
             if CHINESE.search(s)}
    assert found == {}


def test_the_call_script_asks_in_the_words_of_the_revisit_options(app):
    """征询满意度: the operator asks with the options' own names (回访结果: 满意, 基本满意,
    不满意), and then picks the one the reviewer said."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("en"):
        ask = gettext("请问您对本次处理结果是满意、基本满意，还是不满意？")
        options = [gettext(o).lower() for o in ("满意", "基本满意", "不满意")]
    assert all(o in ask for o in options), (ask, options)


# Chinese strings shown on one page that mean different things: their English must differ too
APART = [
    ("待认领", "未认领"),  # inbox within a watch list: a row you may claim / the tab nobody holds
    ("申诉", "提出申诉"),  # case page: the appeal process's diagram tab / its first step
    ("派单", "派单方式"),  # case page: the hotline's step / the fact of how it was dispatched
    ("是否超期", "已超期"),  # inbox filter: the select's name / one of its options
]


@pytest.mark.parametrize(("one", "other"), APART)
def test_different_things_on_one_page_read_differently_in_english(one, other):
    english = {m.id: m.string for m in catalog.read("en") if m.id in (one, other)}
    assert len(english) == 2 and english[one] != english[other], english


def test_catalog_is_up_to_date_with_the_code():
    """Extract again (as `flask translations update` does) and compare the message ids."""
    extracted = {m.id for m in catalog.extract() if m.id}
    translated = {m.id for m in catalog.read("en") if m.id}
    assert extracted - translated == set(), "run `flask translations update` and translate"
    assert translated - extracted == set(), "obsolete ids: run `flask translations update`"


def test_domain_labels_are_marked_for_translation():
    labels = [*vocab.LEVELS, *vocab.CHANNELS.values(), *vocab.RATED_OBJECTS.values(),
              *vocab.REVIEWER_TYPES.values(), *RESPONSIBILITY_LABELS.values(),
              *STATUS_LABELS.values()]
    assert [x for x in labels if x not in TERMS] == []
    assert set(ROLES.values()) <= {m.id for m in catalog.read("en")}


def test_translations_check_command(app_ctx):
    result = app_ctx.test_cli_runner().invoke(args=["translations", "check"])
    assert result.exit_code == 0, result.output


STORED = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)  # 10:15 in Beijing


def test_times_shown_in_beijing_time_per_language(app):
    with app.test_request_context("/"):
        assert when(STORED) == "2026年3月2日 10:15"
        assert day(STORED) == "2026年3月2日"
        assert when(None) == ""
    with app.test_request_context("/?lang=en"):
        assert when(STORED) == "Mar 2, 2026, 10:15"
        assert when(STORED.replace(tzinfo=None)) == "Mar 2, 2026, 10:15"  # naive = UTC
        assert day(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == "Mar 2, 2026"


def test_api_errors_stay_english_json(client):
    resp = client.get("/api/v1/tasks?lang=zh")
    assert resp.status_code == 401 and resp.is_json
    assert "hcp_session" not in " ".join(resp.headers.getlist("Set-Cookie"))
