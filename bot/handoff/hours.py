"""When counsellors are on shift (bot/data/counsellor_hours.yml, or WAYPOINT_COUNSELLOR_HOURS).

A young person who asks for a person outside these hours is told so at once, with the next
opening time in their own time zone, instead of waiting for nobody.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.places import REGIONS_FILE, region_of

HOURS_FILE = Path(__file__).resolve().parent.parent / "data" / "counsellor_hours.yml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Schedule:
    timezone: ZoneInfo
    open: dict[int, tuple[time, time]]  # weekday (0 = Monday) -> from, until
    holidays: frozenset[date]
    claim_timeout: timedelta
    max_wait: timedelta

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.timezone)
        hours = self.open.get(local.weekday())
        return (local.date() not in self.holidays and hours is not None
                and hours[0] <= local.time().replace(tzinfo=None) < hours[1])

    def next_opening(self, at: datetime) -> datetime | None:
        """The next time a shift starts after `at` (None if nothing in the next four weeks)."""
        local = at.astimezone(self.timezone)
        for days in range(29):
            day = local.date() + timedelta(days=days)
            hours = self.open.get(day.weekday())
            if hours is None or day in self.holidays:
                continue
            start = datetime.combine(day, hours[0], tzinfo=self.timezone)
            if start > at:
                return start
        return None


def _clock_time(raw: object, where: str) -> time:
    try:
        return time.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f"{where}: {raw!r} is not a time like 09:00") from None


def load_schedule(path: Path | None = None) -> Schedule:
    path = path or Path(os.environ.get("WAYPOINT_COUNSELLOR_HOURS", "").strip() or HOURS_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    opening: dict[int, tuple[time, time]] = {}
    for day, span in (data.get("open") or {}).items():
        if day not in WEEKDAYS or not isinstance(span, list) or len(span) != 2:
            raise ValueError(f"{path}: open.{day} should be a weekday (mon..sun) with [from, until]")
        opening[WEEKDAYS.index(day)] = (_clock_time(span[0], f"{path} open.{day}"),
                                        _clock_time(span[1], f"{path} open.{day}"))
    return Schedule(
        timezone=ZoneInfo(data["timezone"]),
        open=opening,
        holidays=frozenset(date.fromisoformat(str(d)) for d in data.get("holidays") or ()),
        claim_timeout=timedelta(minutes=float(data.get("claim_timeout_minutes", 3))),
        max_wait=timedelta(hours=float(data.get("max_wait_hours", 12))),
    )


@lru_cache(maxsize=1)
def _region_zones() -> dict[str, tuple[str, str]]:
    raw = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8")).get("timezones") or {}
    return {code: (zone, label) for code, (zone, label) in raw.items()}


def local_time_for(region: str | None, moment: datetime, schedule: Schedule) -> str:
    """`moment` in words, in the young person's time zone ("Monday 9:00 AM, UK time")."""
    zone, label = _region_zones().get(region_of(region) or "", (None, None))
    if zone is None:  # somewhere else: the counsellors' zone, and UTC, so anyone can work it out
        local = moment.astimezone(schedule.timezone)
        utc = moment.astimezone(ZoneInfo("UTC"))
        return f"{_words(local)} {schedule.timezone.key.split('/')[-1].replace('_', ' ')} time ({utc:%H:%M} UTC)"
    return f"{_words(moment.astimezone(ZoneInfo(zone)))}, {label}"


def _words(moment: datetime) -> str:
    return f"{moment:%A} {moment.strftime('%I:%M %p').lstrip('0')}"
