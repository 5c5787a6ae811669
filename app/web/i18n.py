"""Language (语言): Simplified Chinese by default, English on the header switch.

Message ids are the Chinese UI strings; app/translations/en holds English. The choice comes
from `?lang=` (which is also remembered), else the session, else the `lang` cookie.
Times are stored in UTC and shown in Beijing time with Babel's formats for the language.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_skeleton
from flask import Blueprint, Flask, Response, redirect, request, session, url_for
from flask_babel import get_locale, get_timezone, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app.extensions import babel
from app.timeutil import to_local

DEFAULT = "zh_CN"
LANGUAGES = {"zh_CN": "中文", "en": "English"}  # code → name shown on the switch
ALIASES = {"zh": "zh_CN", "zh-cn": "zh_CN", "zh_cn": "zh_CN", "zh-hans": "zh_CN", "en": "en",
           "en-us": "en", "en_us": "en", "en-gb": "en"}
COOKIE = "lang"
COOKIE_DAYS = 365

bp = Blueprint("lang", __name__)


def N_(text: str) -> str:
    """Marks a message id for extraction (pybabel); translate it with `_()` where shown."""
    return text


def normalise(code: str | None) -> str | None:
    """A supported language code for `code` (zh, zh-CN, en, …), or None."""
    return ALIASES.get((code or "").strip().lower())


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    from flask import has_request_context

    if not has_request_context():
        return DEFAULT
    for candidate in (request.args.get("lang"), session.get("lang"), request.cookies.get(COOKIE)):
        code = normalise(candidate)
        if code:
            return code
    return DEFAULT


def current_language() -> str:
    return str(get_locale() or DEFAULT).replace("zh_Hans_CN", "zh_CN")


def html_lang() -> str:
    """The `lang` attribute: zh-CN or en."""
    return "en" if current_language() == "en" else "zh-CN"


def remember(response: Response, code: str) -> Response:
    session["lang"] = code
    response.set_cookie(COOKIE, code, max_age=COOKIE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=request.is_secure)
    return response


@bp.get("/lang/<code>")
def switch(code: str):
    """Switch the language and go back to the page (`next`, a local path)."""
    from app.web.urls import local_target

    target = local_target(request.args.get("next")) or url_for("home.index")
    chosen = normalise(code)
    if chosen is None:
        return redirect(target)
    return remember(redirect(target), chosen)


def _remember_query_choice(response: Response) -> Response:
    """`?lang=en` on any page is remembered like the switch."""
    code = normalise(request.args.get("lang"))
    if code and not request.path.startswith("/api/") and session.get("lang") != code:
        remember(response, code)
    return response


def when(value: datetime | None, date_skeleton: str = "yMMMd") -> str:
    """A stored (UTC) instant in Beijing time, in the language's format, 24-hour clock:
    2026年3月2日 10:15 / Mar 2, 2026, 10:15. Empty for None."""
    if value is None:
        return ""
    local, locale = to_local(value).astimezone(get_timezone()), get_locale()
    day_part = format_skeleton(date_skeleton, local, locale=locale)
    time_part = format_skeleton("Hm", local, locale=locale)
    pattern = str(locale.datetime_formats["medium"])
    return pattern.replace("{1}", day_part).replace("{0}", time_part)


def day(value: date | datetime | None, fmt: str = "medium") -> str:
    """A calendar day (a datetime is taken as a UTC instant and shown in Beijing time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_date(value, fmt, locale=get_locale())


@pass_context
def template_gettext(context: Context, string: str, **variables) -> str:
    """`_()` in templates. Jinja's own (newstyle) marks every translation as safe markup, so
    `{{ _(task.title) }}` would put what a diagram's editor typed into the page unescaped. Here
    a translation without variables is plain text, escaped like any value; with variables the
    message (a literal of the template) stays markup and the variables are escaped."""
    translated = get_translations().ugettext(string)
    if not variables:
        return translated
    return (Markup(translated) if context.eval_ctx.autoescape else translated) % variables


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["gettext"] = template_gettext  # `_` resolves to it too
    app.register_blueprint(bp)
    app.after_request(_remember_query_choice)
    app.jinja_env.filters.update(when=when, day=day)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language,
                                 html_lang=html_lang)
