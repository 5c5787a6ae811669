"""Demo users (演示用户): a caseworker and a supervisor for every department the demo cases go
to, a personnel unit for those with staff reviews, the 12345 hotline and the management agency
of each city, a process owner and an administrator; API tokens for a few of them."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from app.auth import tokens, users
from app.auth.models import ROLES, ApiToken, User
from app.demo import data as d
from app.demo import generate
from app.extensions import db

Department = tuple[str, str, str]  # (code, name, region code)


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
        """Who works a task of `group` at `step` (the supervisor determines and asks for
        extensions, 部门负责人审核)."""
        if group == "hotline":
            return self.hotline.get(jurisdiction)
        if group == "agency":
            return self.agency.get(jurisdiction)
        if group == "personnel":
            return self.personnel.get(department or "") or self.caseworker.get(department or "")
        if step in ("verify", "request_extension"):
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


def _user(username: str, role: str, rnd: random.Random, department: str | None = None,
          region: str | None = None) -> User:
    name = rnd.choice(d.SURNAMES) + rnd.choice(d.GIVEN)  # drawn even when the user exists
    found = db.session.scalar(select(User).where(User.username == username))
    return found or users.create(username, name, role, department, region)


def ensure(departments: Iterable[Department], personnel_units: set[str],
           seed: int) -> People:
    """The demo users (created when missing), for `departments` and the cities."""
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
