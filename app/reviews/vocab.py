"""The rating vocabulary: levels 满意度, channels 评价渠道, rated objects 评价对象.

Levels are stored by name. Numeric codes differ between sources, so a code is only accepted with
the scheme it follows (DOMAIN.md, "Ratings")."""

from __future__ import annotations

# 满意度 → 分值 (Shenzhen art. 7)
LEVEL_SCORES: dict[str, int] = {
    "非常满意": 10, "满意": 8, "基本满意": 6, "不满意": 3, "非常不满意": 0,
}
LEVELS = tuple(LEVEL_SCORES)
BAD_LEVELS = frozenset({"不满意", "非常不满意"})  # 差评

# Numeric code schemes: GB/T 39046-2020 annex A.8 codes 1 = 非常满意 … 5 = 非常不满意;
# most platform interfaces (e.g. Zhejiang's) code 1 = 非常不满意 … 5 = 非常满意.
LEVEL_SCHEMES: dict[str, tuple[str, ...]] = {
    "gbt39046": LEVELS,
    "platform": tuple(reversed(LEVELS)),
}

# 评价渠道 (GB/T 39046): code → label
CHANNELS: dict[str, str] = {
    "pc": "PC端",
    "mobile": "移动服务端",
    "qrcode": "二维码",
    "hall_tablet": "政务大厅平板电脑",
    "hall_terminal": "政务大厅其他终端",
    "phone": "电话",
    "sms": "短信",
}

# 评价对象
RATED_OBJECTS: dict[str, str] = {
    "item": "服务事项",
    "staff": "工作人员",
    "channel": "服务渠道",
    "overall": "总体",
}

REVIEWER_TYPES: dict[str, str] = {"individual": "个人", "legal_person": "法人"}

# 评价次数: 1 first rating, 2 follow-up rating 追加评价 (overall only)
FOLLOW_UP = 2


def level_from_code(code: int, scheme: str) -> str:
    """The level name for a numeric code under a scheme (1-5)."""
    return LEVEL_SCHEMES[scheme][code - 1]


def is_bad(level: str) -> bool:
    """差评 = 不满意 or 非常不满意."""
    return level in BAD_LEVELS
