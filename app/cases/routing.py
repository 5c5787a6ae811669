"""Routing 派单: which department a bad review goes to (Shenzhen art. 23, 谁负责谁处理).

- item / overall reviews → the item's department (事项所属部门);
- channel reviews (system usability) → the department that runs that system (rules: systems);
- staff reviews → the member's personnel unit (人员管理单位), else the department they serve in;
- anything that cannot be resolved goes to a 12345 hotline operator to dispatch by hand.
The mapping from rated object to responsibility type and the system owners come from the rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.rules.book import Routing


@dataclass(frozen=True)
class Route:
    responsibility: str  # item | system | staff | theme
    department_code: str | None
    department_name: str | None
    dispatch: str  # auto | hotline
    note: str | None = None


def route(review: Mapping[str, Any], routing: Routing) -> Route:
    """Route one review (its stored fields) under a jurisdiction's routing rules."""
    responsibility = routing.responsibility(review["rated_object"])
    code, name, note = _target(responsibility, review, routing)
    manual = routing.dispatch == "hotline"
    if code is None:
        return Route(responsibility, None, None, "hotline", note)
    return Route(responsibility, code, name, "hotline" if manual else "auto",
                 "rules: every case dispatched by 12345" if manual else note)


def _target(responsibility: str, review: Mapping[str, Any],
            routing: Routing) -> tuple[str | None, str | None, str | None]:
    if responsibility == "system":
        owner = routing.systems.get(review["channel"])
        if owner:
            return owner.code, owner.name, None
        return None, None, f"no system owner for channel {review['channel']}"
    if responsibility == "staff" and review.get("staff_unit_code"):
        return review["staff_unit_code"], review.get("staff_unit_name"), None
    if review.get("department_code"):
        note = "personnel unit unknown: sent to the member's department" \
            if responsibility == "staff" else None
        return review["department_code"], review.get("department_name"), note
    return None, None, "the rating names no department"
