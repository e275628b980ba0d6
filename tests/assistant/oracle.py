#!/usr/bin/env python3
"""oracle.py - the development set's independent oracle (docs/assistant-evaluation.md).

Every expected `due` in tests/assistant/devset.jsonl is computed here, with Python's zoneinfo,
from the conventions of docs/assistant-time.md - never copied from the parser's output. The
cases live in cases.py (the development set) and holdout.py (the held-out set) next to this
file; this module holds the date arithmetic they use.

  python3 tests/assistant/oracle.py           writes devset.jsonl and holdout.jsonl
  python3 tests/assistant/oracle.py --check   fails if either differs from its cases
"""
import datetime as dt
import json
import os
import sys
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
HERE = os.path.dirname(os.path.abspath(__file__))


class Ctx:
    """A message's "now" (an RFC 3339 UTC instant) and the user's IANA zone."""

    def __init__(self, now, tz):
        self.now_text = now
        self.tz_name = tz
        self.tz = ZoneInfo(tz)
        self.now = dt.datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(self.tz)
        self.today = self.now.date()


def rfc3339(aware):
    """2026-12-07T09:00:00-05:00 (Z never used: the zone's offset at the instant)."""
    off = aware.utcoffset()
    secs = int(off.total_seconds())
    sign = "+" if secs >= 0 else "-"
    secs = abs(secs)
    return aware.strftime("%Y-%m-%dT%H:%M:%S") + "%s%02d:%02d" % (sign, secs // 3600,
                                                                   secs % 3600 // 60)


def wall(c, day, h, m=0):
    """The instant of local wall time day h:m in c's zone. A time in a spring-forward gap
    moves forward by the gap (fold=0 takes the offset before the gap, RFC 5545); a time that
    happens twice takes the first (daylight) instance (fold=0)."""
    naive = dt.datetime(day.year, day.month, day.day, h, m, tzinfo=c.tz, fold=0)
    return naive.astimezone(UTC).astimezone(c.tz)


def on_date(c, day):
    """A date without a time: 09:00 local, all_day."""
    return {"due": rfc3339(wall(c, day, 9)), "all_day": True}


def at(c, day, h, m=0):
    """A day and a time of day."""
    return {"due": rfc3339(wall(c, day, h, m)), "all_day": False}


def next_time(c, h, m=0):
    """A time of day alone: the next occurrence strictly after now."""
    inst = wall(c, c.today, h, m)
    if inst <= c.now:
        inst = wall(c, c.today + dt.timedelta(days=1), h, m)
    return {"due": rfc3339(inst), "all_day": False}


def elapsed(c, minutes):
    """In N minutes/hours: real elapsed time."""
    inst = (c.now.astimezone(UTC) + dt.timedelta(minutes=minutes)).astimezone(c.tz)
    return {"due": rfc3339(inst), "all_day": False}


WD = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def plus(c, days):
    return c.today + dt.timedelta(days=days)


def bare_wd(c, wd):
    """"friday": strictly after today, 1-7 days ahead."""
    d = (WD[wd] - c.today.weekday()) % 7
    return plus(c, d or 7)


def this_wd(c, wd):
    """"this friday": on or after today, 0-6 days ahead."""
    return plus(c, (WD[wd] - c.today.weekday()) % 7)


def next_wd(c, wd):
    """"next friday": that weekday in the next ISO (Mon-Sun) week."""
    monday_next = plus(c, 7 - c.today.weekday())
    return monday_next + dt.timedelta(days=WD[wd])


def next_week(c):
    return plus(c, 7 - c.today.weekday())


def end_of_week(c):
    return this_wd(c, "fri")


def end_of_month(c):
    first_next = (c.today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def end_of_year(c):
    return dt.date(c.today.year, 12, 31)


def this_weekend(c):
    if c.today.weekday() >= 5:
        return c.today
    return this_wd(c, "sat")


def next_weekend(c):
    sat = c.today - dt.timedelta(days=c.today.weekday()) + dt.timedelta(days=5)
    return sat + dt.timedelta(days=7)


def month_day(c, month, day):
    """"Jan 27" without a year: the next such date on or after today."""
    y = c.today.year
    while True:
        try:
            d = dt.date(y, month, day)
        except ValueError:
            d = None
        if d and d >= c.today:
            return d
        y += 1


def nth(c, day):
    """"the 15th": the next such day of a month on or after today (skipping short months)."""
    y, m = c.today.year, c.today.month
    while True:
        try:
            d = dt.date(y, m, day)
            if d >= c.today:
                return d
        except ValueError:
            pass
        m += 1
        if m == 13:
            y, m = y + 1, 1


def in_months(c, n):
    y, m = c.today.year, c.today.month + n
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(c.today.day, last))


def first_date(c, match):
    """A date-only series: the first matching date on or after today."""
    d = c.today
    for _ in range(800):
        if match(d):
            return d
        d += dt.timedelta(days=1)
    raise ValueError("no match")


def first_timed(c, match, h, m=0):
    """A timed series: the first matching instant strictly after now."""
    d = c.today
    for _ in range(800):
        if match(d) and wall(c, d, h, m) > c.now:
            return {"due": rfc3339(wall(c, d, h, m)), "all_day": False}
        d += dt.timedelta(days=1)
    raise ValueError("no match")


def is_wd(*names):
    days = {WD[n] for n in names}
    return lambda d: d.weekday() in days


def is_mday(n):
    return lambda d: d.day == n


def is_last_wd_of_month(name):
    return lambda d: d.weekday() == WD[name] and (d + dt.timedelta(days=7)).month != d.month


def is_last_weekday_of_month(d):
    if d.weekday() >= 5:
        return False
    e = d + dt.timedelta(days=1)
    while e.weekday() >= 5:
        e += dt.timedelta(days=1)
    return e.month != d.month


def is_ymd(month, day):
    return lambda d: d.month == month and d.day == day


def reminder_at(c, day, h, m=0):
    return {"at": rfc3339(wall(c, day, h, m))}


RRULE_ORDER = ["FREQ", "INTERVAL", "COUNT", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS"]
DAY_ORDER = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def check_rrule(rule):
    """Asserts an expected RRULE is in the canonical form of docs/assistant-time.md."""
    parts = [p.split("=", 1) for p in rule.split(";")]
    names = [p[0] for p in parts]
    assert names == sorted(names, key=RRULE_ORDER.index), rule
    assert names[0] == "FREQ", rule
    for name, value in parts:
        if name == "INTERVAL":
            assert value != "1", rule
        if name == "BYDAY":
            days = [v.lstrip("-0123456789") for v in value.split(",")]
            assert days == sorted(days, key=DAY_ORDER.index), rule


def build(module):
    """The cases of module (cases.py or holdout.py) as JSON lines, checked."""
    sys.path.insert(0, HERE)
    cases = __import__(module)

    lines = []
    seen = set()
    for case in cases.CASES:
        key = (case["text"], case["now"], case["tz"])
        assert key not in seen, "duplicate case: %r" % (key,)
        seen.add(key)
        exp = case["expect"]
        if exp.get("rrule"):
            check_rrule(exp["rrule"])
        assert case.get("cat"), case
        lines.append(json.dumps(case, ensure_ascii=False))
    return "\n".join(lines) + "\n"


SETS = [("cases", "devset.jsonl"), ("holdout", "holdout.jsonl")]


def main():
    for module, name in SETS:
        if not os.path.exists(os.path.join(HERE, module + ".py")):
            continue
        text = build(module)
        path = os.path.join(HERE, name)
        if "--check" in sys.argv:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    sys.exit("%s differs from %s.py: run tests/assistant/oracle.py" % (name, module))
            print("%s matches the oracle (%d cases)" % (name, text.count("\n")))
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s: %d cases" % (name, text.count("\n")))


if __name__ == "__main__":
    main()
