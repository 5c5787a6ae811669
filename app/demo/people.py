"""Demo users (演示用户): a caseworker and a supervisor for every department the demo cases go
to, a personnel unit for those with staff reviews, the 12345 hotline and the management agency
of each city, a process owner and an administrator; API tokens for a few of them.

Every demo user signs in with DEMO_PASSWORD (README). Only demo users get it: users created
through the admin pages or `flask users create` choose their own."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.auth import tokens, users
from app.auth.models import ROLES, ApiToken, User
from app.demo import data as d
from app.demo import generate
from app.extensions import db
from app.org.service import names

Department = tuple[str, str, str]  # (code, name, region code)
DEMO_PASSWORD = "demo-2026"  # demo users only


@dataclass
class People:
    """The demo users by what they answer for."""

    caseworker: dict[str, User] = field(default_factory=dict)  # department code → user
    supervisor: dict[str, User] = field(default_factory=dict)
    personnel: dict[str, User] = field(default_factory=dict)
    hotline: dict[str, User] = field(default_factory=dict)  # jurisdiction → user
    agency: dict[str, User] = field(default_factory=dict)
    others: dict[str, User] = field(default_factory=dict)  # role → user

    def actor(self, group: str | None, step: str, department: str | None,
              jurisdiction: str) -> User | None:
        """Who works a task of `group` at `step` (the supervisor confirms determinations and
        asks for extensions, 部门负责人审核; the caseworker verifies)."""
        if group == "hotline":
            return self.hotline.get(jurisdiction)
        if group == "agency":
            return self.agency.get(jurisdiction)
        if group == "personnel":
            return self.personnel.get(department or "") or self.caseworker.get(department or "")
        if group == "supervisor" or step == "request_extension":
            return self.supervisor.get(department or "")
        return self.caseworker.get(department or "")

    def all(self) -> list[User]:
        found = [*self.caseworker.values(), *self.supervisor.values(), *self.personnel.values(),
                 *self.hotline.values(), *self.agency.values(), *self.others.values()]
        return sorted(found, key=lambda u: u.id)


def _keys() -> dict[str, str]:
    """Department code → a short key for usernames (sz_police, js_zwb, ...)."""
    keys = {code: key for key, (code, _, _) in generate.departments().items()}
    keys.update({code: key for key, (code, _, _) in d.SYSTEM_OWNERS.items()})
    return keys


@cache
def _demo_hash() -> str:
    """One scrypt hash of DEMO_PASSWORD for all demo users (they share the password anyway)."""
    return generate_password_hash(DEMO_PASSWORD)


def _user(username: str, role: str, rnd: random.Random, department: str | None = None,
          region: str | None = None) -> User:
    """A new demo user with DEMO_PASSWORD; the caller made sure the name is free (`taken`):
    the demo never takes over or alters an account it did not create."""
    name = rnd.choice(d.SURNAMES) + rnd.choice(d.GIVEN)
    user = users.create(username, name, role, department, region)
    user.password_hash = _demo_hash()
    db.session.commit()
    return user


def usernames() -> list[str]:
    """Every username the demo may create (a personnel unit for each of its departments)."""
    names = [f"{key}_{role}" for key in sorted(set(_keys().values()))
             for role in ("caseworker", "supervisor", "personnel")]
    names += [f"{key}_{role}" for key, _region, _city in d.CITIES.values()
              for role in ("hotline", "agency")]
    return [*names, "process_owner", "admin"]


def taken() -> list[str]:
    """The demo's usernames that accounts already use (in any letter case)."""
    return [name for name in usernames() if users.username_taken(name)]


def existing() -> People:
    """The demo users already in the database (found by their usernames); nothing is changed."""
    people, keys = People(), _keys()
    for code, key in keys.items():
        for role in ("caseworker", "supervisor", "personnel"):
            user = users.by_username(f"{key}_{role}")
            if user is not None:
                getattr(people, role)[code] = user
    for jurisdiction, (key, _region, _city) in d.CITIES.items():
        for role in ("hotline", "agency"):
            user = users.by_username(f"{key}_{role}")
            if user is not None:
                getattr(people, role)[jurisdiction] = user
    for role in ("process_owner", "admin"):
        user = users.by_username(role)
        if user is not None:
            people.others[role] = user
    return people


def logins(people: People) -> list[str]:
    """The login table for the console: username, role, department or region, password."""
    found = people.all()
    known = [*generate.departments().values(), *d.SYSTEM_OWNERS.values()]
    depts = {code: name for code, name, _region in known}
    depts.update(names(u.department_code for u in found))
    rows = [(u.username, ROLES[u.role],
             depts.get(u.department_code or "") or u.department_code or u.region_code or "-")
            for u in sorted(found, key=lambda u: (list(ROLES).index(u.role), u.username))]
    width = max([len("username"), *(len(r[0]) for r in rows)])
    pw = max(len("password"), len(DEMO_PASSWORD))
    lines = [f"  {'username'.ljust(width)}  {'password'.ljust(pw)}  role · department / region"]
    lines += [f"  {name.ljust(width)}  {DEMO_PASSWORD.ljust(pw)}  {role} · {where}"
              for name, role, where in rows]
    return lines


def ensure(departments: Iterable[Department], personnel_units: set[str],
           seed: int) -> People:
    """The demo users, created for `departments` and the cities (their names are free)."""
    rnd, keys, people = random.Random(seed), _keys(), People()
    for code, _name, region in sorted(set(departments)):
        key = keys.get(code, f"dept_{code[-6:].lower()}")
        region12 = region.ljust(12, "0")
        people.caseworker[code] = _user(f"{key}_caseworker", "caseworker", rnd, code, region12)
        people.supervisor[code] = _user(f"{key}_supervisor", "supervisor", rnd, code, region12)
        if code in personnel_units:
            people.personnel[code] = _user(f"{key}_personnel", "personnel", rnd, code, region12)
    for jurisdiction, (key, region, _city) in d.CITIES.items():
        people.hotline[jurisdiction] = _user(f"{key}_hotline", "hotline", rnd, region=region)
        people.agency[jurisdiction] = _user(f"{key}_agency", "agency", rnd, region=region)
    people.others["process_owner"] = _user("process_owner", "process_owner", rnd)
    people.others["admin"] = _user("admin", "admin", rnd)
    return people


def issue_tokens(people: People, department: str | None) -> list[tuple[User, str]]:
    """API tokens (name `demo-<username>`) for the administrator, Shenzhen's hotline and agency
    and the caseworker of `department`; only those not issued before, as (user, token)."""
    chosen = [people.others["admin"], people.hotline["shenzhen"], people.agency["shenzhen"]]
    if department in people.caseworker:
        chosen.insert(0, people.caseworker[department])
    issued = []
    for user in chosen:
        name = f"demo-{user.username}"
        if db.session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is None:
            issued.append((user, tokens.create(name, user.id)))
    return issued


def describe(user: User) -> str:
    """`username` (name, role in Chinese) for the CLI."""
    return f"{user.username} ({user.name}, {ROLES[user.role]})"
