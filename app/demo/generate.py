"""Generate realistic demo ratings (seeded) in the shape the intake API takes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.demo import data as d
from app.timeutil import SHANGHAI

LEVEL_WEIGHTS_GOOD = {"非常满意": 82, "满意": 13, "基本满意": 5}


def departments() -> dict[str, tuple[str, str, str]]:
    """key → (code, name, region6)."""
    return {key: (d.uscc(region, i + 1), name, region)
            for i, (key, name, region) in enumerate(d.DEPARTMENTS)}


def ratings(count: int, now: datetime, bad_share: float = 0.07, seed: int = 2024) -> list[dict]:
    """`count` ratings over the 30 days before `now`; about `bad_share` of them bad (far more
    than real life, 0.015% in Shenzhen, so that the demo has cases to show)."""
    rnd = random.Random(seed)
    depts = departments()
    out = []
    for n in range(count):
        city = "sz" if rnd.random() < 0.85 else "nj"
        districts = d.SHENZHEN_DISTRICTS if city == "sz" else d.NANJING_DISTRICTS
        region = rnd.choices(districts, weights=[w for *_, w in districts])[0][0]
        items = [i for i in d.ITEMS if f"{city}_{i[0]}" in depts]
        dept_key, item_code, item_name = rnd.choice(items)
        code, dept_name, _ = depts[f"{city}_{dept_key}"]
        channel = rnd.choices(list(d.CHANNEL_WEIGHTS), weights=list(d.CHANNEL_WEIGHTS.values()))[0]
        obj = _rated_object(rnd, channel)
        bad = rnd.random() < bad_share
        level = rnd.choice(["不满意", "非常不满意"]) if bad else rnd.choices(
            list(LEVEL_WEIGHTS_GOOD), weights=list(LEVEL_WEIGHTS_GOOD.values()))[0]
        item = {
            "serial_no": f"{region[:6]}{now:%y}{n + 1:08d}", "rating_count": 1,
            "rated_object": obj, "channel": channel, "level": level,
            "rated_at": _when(rnd, now, channel).isoformat(),
            "item_code": item_code, "item_name": item_name,
            "department_code": code, "department_name": dept_name, "region_code": region,
            "reviewer_name": rnd.choice(d.SURNAMES) + rnd.choice(d.GIVEN),
            "reviewer_type": "individual" if rnd.random() < 0.9 else "legal_person",
            "reviewer_phone": f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}",
            "tags": rnd.sample(d.BAD_TAGS if bad else d.GOOD_TAGS, rnd.randint(1, 2)),
        }
        if bad:
            item["text"] = rnd.choice(d.BAD_TEXTS)
        if obj == "staff":
            item["staff_no"] = f"SZ{rnd.randrange(10**5):05d}"
            item["staff_name"] = rnd.choice(d.STAFF)
        out.append(item)
    return out


def _rated_object(rnd: random.Random, channel: str) -> str:
    """Window matters rate item, staff and channel; online ones item and channel."""
    if channel in d.HALL_CHANNELS:
        return rnd.choices(["overall", "item", "staff", "channel"], weights=[45, 30, 18, 7])[0]
    return rnd.choices(["overall", "item", "channel"], weights=[55, 35, 10])[0]


def _when(rnd: random.Random, now: datetime, channel: str) -> datetime:
    """A time in the last 30 days; hall ratings fall in opening hours (9:00-18:00)."""
    local_now = now.astimezone(SHANGHAI)
    while True:
        day = local_now - timedelta(days=rnd.randint(0, 29))
        hour = rnd.randint(9, 17) if channel in d.HALL_CHANNELS else rnd.randint(7, 22)
        at = day.replace(hour=hour, minute=rnd.randrange(60), second=rnd.randrange(60),
                         microsecond=0)
        if at <= local_now:
            return at
