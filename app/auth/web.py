"""Browser login (登录) and logout (退出) with Flask-Login.

The session is a signed cookie (HttpOnly, SameSite=Lax, Secure by SESSION_COOKIE_SECURE) that
lasts PERMANENT_SESSION_LIFETIME (8 hours) of inactivity. It stores `<user id>.<stamp>`; the
stamp changes with the password, so a reset signs the user out everywhere, and a deactivated
user is signed out at the next request. Repeated wrong passwords lock the username for a while
(app/auth/lockout.py).
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from app import serving
from app.auth import lockout, users
from app.auth.forms import LoginForm
from app.auth.models import User
from app.config import require_secret_key
from app.extensions import db, login_manager
from app.timeutil import to_local, utcnow
from app.web.i18n import N_
from app.web.urls import local_target

bp = Blueprint("auth", __name__)

BAD_LOGIN = N_("用户名或密码不正确，或账号已停用。")
LOCKED = N_("登录失败次数过多，该用户名已暂时锁定，请于 %(time)s 之后再试。")
KEPT_ON_LOGIN = ("lang",)  # session keys that survive signing in (the rest is cleared)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id `<id>.<stamp>`, if still active, with a password, and the
    stamp matches."""
    user_id, _, stamp = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not user.password_hash:
        return None  # a user without a password (API only) never has a browser session
    if stamp != user.session_stamp:
        return None
    return user


def _after_login() -> str:
    """Where the user was going; else people who work cases go to their inbox (待办), the
    others to the home page."""
    from app.inbox.web import WORKERS

    landing = "inbox.index" if current_user.role in WORKERS else "home.index"
    return local_target(request.values.get("next")) or url_for(landing)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_after_login())
        form.next.data = local_target(request.args.get("next")) or ""
    elif form.validate_on_submit():
        return _sign_in(form)
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


def _sign_in(form: LoginForm):
    """Check the posted username and password, unless the username is locked (429)."""
    now, name = utcnow(), form.username.data
    until = lockout.locked_until(name, now)
    if until is None:
        user = users.authenticate(name, form.password.data)
        if user is not None:
            lockout.clear(name)
            db.session.commit()
            _start_session(user)
            return redirect(_after_login())
        until = lockout.failed(name, now, request.remote_addr)
    if until is None:
        form.password.errors.append(gettext(BAD_LOGIN))
        return render_template("auth/login.html", form=form), 400
    form.password.errors.append(gettext(LOCKED, time=to_local(until).strftime("%H:%M")))
    return render_template("auth/login.html", form=form), 429


def _start_session(user: User) -> None:
    """A fresh session (no fixation: the old content goes, but the language stays)."""
    kept = {k: session[k] for k in KEPT_ON_LOGIN if k in session}
    session.clear()
    session.update(kept)
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without a request
    login_user(user)


@bp.get("/logout")
def logout_page():
    """A confirmation page: signing out is a POST with the form's CSRF token."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.post("/logout")
def logout():
    logout_user()
    kept = {k: session[k] for k in KEPT_ON_LOGIN if k in session}
    session.clear()
    session.update(kept)
    flash(gettext("您已安全退出。"), "success")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Logins; under `flask run` (its reloader's watcher too) not with the development
    SECRET_KEY unless in debug mode (WSGI servers: wsgi.py checks)."""
    if serving.is_flask_run(serving.cli_context()):
        require_secret_key(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
