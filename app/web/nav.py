"""The navigation (导航) as a small registry.

An entry shows when its endpoint exists in the app and the signed-in user has one of its roles,
so a page joins the navigation by registering its endpoint once, next to its blueprint:

    from app.web.i18n import N_
    from app.web.nav import register
    register("modeler.index", N_("流程建模"), roles=("supervisor", "process_owner", "admin"),
             order=60, section="modeler.")
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user

from app.web.i18n import N_


@dataclass(frozen=True)
class NavEntry:
    endpoint: str  # e.g. "admin.users_list"
    label: str  # message id (Chinese); shown through _()
    roles: frozenset[str] | None = None  # None: every signed-in user
    public: bool = False  # also shown to visitors who are not signed in
    order: int = 100  # left to right
    section: str | None = None  # highlighted for every endpoint starting with this ("admin.")

    def allows(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return self.public
        return self.roles is None or user.role in self.roles

    def is_current(self, endpoint: str | None) -> bool:
        if not endpoint:
            return False
        return endpoint == self.endpoint or bool(self.section and endpoint.startswith(self.section))


_entries: dict[str, NavEntry] = {}


def register(endpoint: str, label: str, roles: tuple[str, ...] | None = None, *,
             public: bool = False, order: int = 100, section: str | None = None) -> NavEntry:
    """Add (or replace) the entry for `endpoint`; returns it."""
    entry = NavEntry(endpoint, label, frozenset(roles) if roles is not None else None, public,
                     order, section)
    _entries[endpoint] = entry
    return entry


def unregister(endpoint: str) -> None:
    _entries.pop(endpoint, None)


def visible(user, endpoints) -> list[NavEntry]:
    """The entries `user` sees, given the app's endpoints (`app.view_functions`)."""
    shown = [e for e in _entries.values() if e.endpoint in endpoints and e.allows(user)]
    return sorted(shown, key=lambda e: (e.order, e.endpoint))


def nav_entries() -> list[NavEntry]:
    """For templates: this request's entries."""
    return visible(current_user, current_app.view_functions)


def current_endpoint() -> str | None:
    return request.endpoint


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(nav_entries=nav_entries, current_endpoint=current_endpoint)


# What exists today; the inbox and the queues register their own entries.
register("home.index", N_("首页"), public=True, order=0)
register("admin.users_list", N_("系统管理"), roles=("admin",), order=90, section="admin.")
register("api-docs.openapi_swagger_ui", N_("接口文档"), roles=("admin", "process_owner"),
         order=95)
