"""The rules in force, as immutable objects: `JurisdictionRules` (one rule file, 一个辖区的规则)
and `RuleBook` (all of them, with region lookup). Pure Python; built from `loader.ParsedFile`s."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

from app.rules.loader import ParsedFile, load_directory


class UnknownRuleKey(KeyError):
    """A deadline rule key that the jurisdiction's file does not define."""


@dataclass(frozen=True)
class Deadline:
    """时限: `working_days` working days counted from `counted_from` ("receipt" = 收到工单之日,
    "step" = 本环节开始之日); `warn_before` working days of 超期预警 lead, None for the default;
    `late_start_days`: for a step counted from receipt that begins after that deadline has
    passed (after an appeal, a staff re-check, a reopened rectification), the working days it
    gets from its start instead (本系统约定); None: it is overdue as it begins.
    `within_rectify` (反馈随整改时限): a step counted from its start is never due after the
    case's rectification deadline (rectify.<class>, with an approved extension) while that
    deadline is still ahead as the step begins."""

    working_days: int
    counted_from: str
    warn_before: int | None = None
    late_start_days: int | None = None
    within_rectify: bool = False


@dataclass(frozen=True)
class Rating:
    """评价 rules: default level after the window, window, reminder, follow-up rating window."""

    default_level: str
    window_natural_days: int
    reminder_hours: int
    follow_up_natural_days: int


@dataclass(frozen=True)
class Department:
    """A department by unified social credit code (统一社会信用代码) and name."""

    code: str
    name: str


@dataclass(frozen=True)
class Routing:
    """派单: how work orders are dispatched and who answers for each rated object."""

    dispatch: str
    by_object: Mapping[str, str]
    systems: Mapping[str, Department]

    def responsibility(self, rated_object: str) -> str:
        """Responsibility type (item/system/staff/theme) for a rated object."""
        return self.by_object[rated_object]

    def system_owner(self, channel: str) -> Department:
        """The department owning the system behind a channel (for system reviews)."""
        return self.systems[channel]


@dataclass(frozen=True)
class StaffReview:
    """Thresholds: valid bad reviews for the pay and promotion review; malicious ratings for the
    reviewer credit watch list (Shenzhen art. 26-27)."""

    valid_bad_reviews_per_year: int
    valid_bad_reviews_per_week: int
    malicious_ratings_per_year: int


@dataclass(frozen=True)
class Appeal:
    decided_by: str
    grounds: tuple[str, ...]


@dataclass(frozen=True)
class JurisdictionRules:
    """The rules of one jurisdiction (辖区), from one file. Equal files give equal objects."""

    key: str
    name: str
    regions: tuple[str, ...]
    default: bool
    effective_from: date | None
    deadlines: Mapping[str, Deadline]
    warning_lead_days: int
    rating: Rating
    appeal: Appeal
    staff_review: StaffReview
    routing: Routing
    sources: tuple[str, ...]
    raw: Mapping = field(repr=False, compare=False)
    content_hash: str = ""
    source_path: str = field(default="", compare=False)
    text: str = field(default="", repr=False, compare=False)
    loaded_at: datetime | None = field(default=None, compare=False)
    name_en: str = ""  # the name on English pages (Shenzhen); `name` when not given

    def label(self, language: str) -> str:
        """The jurisdiction's name in the page's language (zh: 深圳市, en: Shenzhen)."""
        return self.name_en if language == "en" and self.name_en else self.name

    def __hash__(self) -> int:
        return hash((self.key, self.content_hash))

    def deadline(self, key: str) -> Deadline:
        try:
            return self.deadlines[key]
        except KeyError:
            raise UnknownRuleKey(f"{self.key}: no deadline rule {key!r}; known: "
                                 f"{', '.join(self.deadlines)}") from None

    def deadline_days(self, key: str) -> int:
        """Working days allowed by the rule `key`, e.g. "rectify.general"."""
        return self.deadline(key).working_days

    def counted_from(self, key: str) -> str:
        """"receipt" or "step"."""
        return self.deadline(key).counted_from

    def warn_before(self, key: str) -> int:
        """Working days before the deadline to warn (超期预警): the rule's own `warn_before`, else
        `warning.lead_working_days`, never more than the deadline itself."""
        rule = self.deadline(key)
        if rule.warn_before is not None:
            return rule.warn_before
        return min(self.warning_lead_days, rule.working_days)

    @classmethod
    def from_parsed(cls, parsed: ParsedFile, loaded_at: datetime | None = None
                    ) -> JurisdictionRules:
        data = parsed.data
        routing = data["routing"]
        return cls(
            key=data["jurisdiction"], name=data["name"], name_en=data["name_en"],
            regions=tuple(data["regions"]),
            default=data["default"], effective_from=data["effective_from"],
            deadlines=MappingProxyType({k: Deadline(v["working_days"], v["counted_from"],
                                                    v.get("warn_before"),
                                                    v.get("late_start_days"),
                                                    v.get("within_rectify", False))
                                        for k, v in data["deadlines"].items()}),
            warning_lead_days=data["warning"]["lead_working_days"],
            rating=Rating(**data["rating"]),
            appeal=Appeal(data["appeal"]["decided_by"], tuple(data["appeal"]["grounds"])),
            staff_review=StaffReview(**data["staff_review"]),
            routing=Routing(routing["dispatch"], MappingProxyType(dict(routing["by_object"])),
                            MappingProxyType({ch: Department(**d)
                                              for ch, d in routing["systems"].items()})),
            sources=tuple(data["sources"]),
            raw=MappingProxyType(data), content_hash=parsed.content_hash,
            source_path=parsed.display_path, text=parsed.text, loaded_at=loaded_at,
        )


class RuleBook:
    """Every jurisdiction's rules at one moment. Immutable; a reload builds a new book."""

    def __init__(self, rules: Iterable[JurisdictionRules],
                 loaded_at: datetime | None = None) -> None:
        self._rules = {r.key: r for r in sorted(rules, key=lambda r: r.key)}
        defaults = [r for r in self._rules.values() if r.default]
        if len(defaults) != 1:
            raise ValueError("a RuleBook needs exactly one default jurisdiction")
        self.default = defaults[0]
        self.loaded_at = loaded_at
        # Longest prefix first, so the first match is the most specific.
        self._prefixes = sorted(((p, r) for r in self._rules.values() for p in r.regions),
                                key=lambda pr: len(pr[0]), reverse=True)

    def for_region(self, region_code: str | None) -> JurisdictionRules:
        """The rules for a region code (行政区划代码): longest matching prefix, else the default."""
        code = (region_code or "").strip()
        for prefix, rules in self._prefixes:
            if code.startswith(prefix):
                return rules
        return self.default

    def get(self, jurisdiction: str) -> JurisdictionRules:
        try:
            return self._rules[jurisdiction]
        except KeyError:
            raise KeyError(f"unknown jurisdiction {jurisdiction!r}; known: "
                           f"{', '.join(self._rules)}") from None

    def jurisdictions(self) -> tuple[str, ...]:
        """Jurisdiction keys, sorted."""
        return tuple(self._rules)

    def __iter__(self):
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, jurisdiction: object) -> bool:
        return jurisdiction in self._rules


def build_book(parsed: Iterable[ParsedFile], loaded_at: datetime | None = None,
               previous: RuleBook | None = None) -> RuleBook:
    """A RuleBook from checked files; a jurisdiction whose file content is unchanged since
    `previous` keeps its previous object (and `loaded_at`)."""
    rules = []
    for parsed_file in parsed:
        key = parsed_file.data["jurisdiction"]
        old = previous.get(key) if previous is not None and key in previous else None
        if old is not None and old.content_hash == parsed_file.content_hash \
                and old.source_path == parsed_file.display_path:
            rules.append(old)
        else:
            rules.append(JurisdictionRules.from_parsed(parsed_file, loaded_at))
    return RuleBook(rules, loaded_at)


def load_book(directory: Path | str, loaded_at: datetime | None = None) -> RuleBook:
    """Read and check `directory` freshly; RuleFileError when anything is wrong."""
    return build_book(load_directory(directory), loaded_at)
