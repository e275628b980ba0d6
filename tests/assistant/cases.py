"""cases.py - the development set's cases, written against docs/assistant-time.md and
docs/assistant.md, never against the parser's output (docs/assistant-evaluation.md).
oracle.py turns them into devset.jsonl; every `due` is computed by its zoneinfo arithmetic.

Each case: the message, "now" (UTC), the zone, a category, and the expected keys of the
parser's JSON (src/core/nlp.h). add() asserts the whole outcome of an add (intent, title,
due, all_day, rrule, from_completion); cmd() asserts only the keys it is given."""
from oracle import (Ctx, at, bare_wd, elapsed, end_of_month, end_of_week, end_of_year,
                    first_date, first_timed, in_months, is_last_wd_of_month,
                    is_last_weekday_of_month, is_mday, is_wd, is_ymd, month_day, next_time,
                    next_wd, next_week, next_weekend, nth, on_date, plus, reminder_at,
                    this_wd, this_weekend)
import datetime as dt

NY = "America/New_York"
LA = "America/Los_Angeles"
BERLIN = "Europe/Berlin"
LONDON = "Europe/London"
KOLKATA = "Asia/Kolkata"
SYDNEY = "Australia/Sydney"

SUN = Ctx("2026-12-06T15:00:00Z", NY)        # Sunday 10:00
MON = Ctx("2026-12-07T14:30:00Z", NY)        # Monday 09:30
TUE = Ctx("2026-12-08T15:00:00Z", NY)        # Tuesday 10:00
WED = Ctx("2026-12-09T19:00:00Z", NY)        # Wednesday 14:00
THU = Ctx("2026-12-10T13:00:00Z", NY)        # Thursday 08:00
FRI = Ctx("2026-12-11T16:00:00Z", NY)        # Friday 11:00
SAT = Ctx("2026-12-12T17:00:00Z", NY)        # Saturday 12:00
EVE = Ctx("2026-12-10T02:30:00Z", NY)        # Wednesday 9 Dec 21:30
EOM = Ctx("2026-11-30T20:00:00Z", NY)        # Monday 30 Nov 15:00 (last day of month)
JAN31 = Ctx("2026-01-31T15:00:00Z", NY)      # Saturday 31 Jan 10:00
FEB27 = Ctx("2026-02-27T15:00:00Z", NY)      # Friday 27 Feb 10:00
NYE = Ctx("2026-12-31T21:00:00Z", NY)        # Thursday 31 Dec 16:00
SPRING_EVE = Ctx("2026-03-07T17:00:00Z", NY)  # Saturday 7 Mar 12:00 EST (gap tomorrow)
SPRING = Ctx("2026-03-08T06:30:00Z", NY)     # Sunday 8 Mar 01:30 EST (gap at 02:00)
FALL_EVE = Ctx("2026-10-31T16:00:00Z", NY)   # Saturday 31 Oct 12:00 EDT (fold tomorrow)
FALL = Ctx("2026-11-01T05:30:00Z", NY)       # Sunday 1 Nov 01:30 EDT (first 01:30)
BER = Ctx("2026-12-08T09:00:00Z", BERLIN)    # Tuesday 10:00 CET
BER_SPRING = Ctx("2026-03-28T11:00:00Z", BERLIN)  # Saturday 28 Mar 12:00 CET (gap tomorrow)
LON = Ctx("2026-12-09T10:00:00Z", LONDON)    # Wednesday 10:00 GMT
LON_SUMMER = Ctx("2026-07-15T08:00:00Z", LONDON)  # Wednesday 15 Jul 09:00 BST
KOL = Ctx("2026-12-10T04:30:00Z", KOLKATA)   # Thursday 10:00 IST
SYD = Ctx("2026-12-11T23:00:00Z", SYDNEY)    # Saturday 12 Dec 10:00 AEDT
UTC0 = Ctx("2026-12-06T10:00:00Z", "UTC")    # Sunday 10:00
LAX = Ctx("2026-12-08T18:00:00Z", LA)        # Tuesday 10:00 PST
LAX_EVE = Ctx("2026-12-12T05:00:00Z", LA)    # Friday 11 Dec 21:00 PST

CASES = []
NONE = {"due": None, "all_day": False}


def add(text, c, cat, title, when=None, rrule=None, fc=False, note=None, **extra):
    """An add: the whole outcome. when is on_date()/at()/... or None (no date)."""
    exp = {"intent": "add", "title": title}
    exp.update(when or NONE)
    exp["rrule"] = rrule
    exp["from_completion"] = fc
    exp.update(extra)
    case = {"text": text, "now": c.now_text, "tz": c.tz_name, "cat": cat, "expect": exp}
    if note:
        case["note"] = note
    CASES.append(case)


def cmd(text, c, cat, intent, note=None, **keys):
    """Any intent: only the keys given are asserted (plus the intent)."""
    exp = {"intent": intent}
    exp.update(keys)
    case = {"text": text, "now": c.now_text, "tz": c.tz_name, "cat": cat, "expect": exp}
    if note:
        case["note"] = note
    CASES.append(case)


def date(c, d):
    return on_date(c, d)


# ---- relative days ---------------------------------------------------------------------
add("call mom tomorrow", SUN, "date", "Call mom", date(SUN, plus(SUN, 1)))
add("submit report today", SUN, "date", "Submit report", date(SUN, SUN.today),
    note="date only: 09:00 even though 09:00 today is past")
add("pay the bills day after tomorrow", SUN, "date", "Pay the bills", date(SUN, plus(SUN, 2)))
add("tmrw buy milk", SUN, "date", "Buy milk", date(SUN, plus(SUN, 1)))
add("renew library books tmr", TUE, "date", "Renew library books", date(TUE, plus(TUE, 1)))
add("follow up with Ana a week from today", SUN, "date", "Follow up with Ana",
    date(SUN, plus(SUN, 7)))
add("call grandma today", EVE, "date", "Call grandma", date(EVE, EVE.today),
    note="said at 21:30: still today 09:00, all day")
add("book the vet tomorrow", NYE, "date", "Book the vet", date(NYE, plus(NYE, 1)),
    note="Dec 31 -> Jan 1 of the next year")
add("return the parcel tomorrow", LAX_EVE, "date", "Return the parcel",
    date(LAX_EVE, plus(LAX_EVE, 1)), note="21:00 in LA is already the next day in UTC")
add("send the card the day after tomorrow", SYD, "date", "Send the card", date(SYD, plus(SYD, 2)))

# ---- bare / this / next weekday on each relevant weekday --------------------------------
add("gym monday", SUN, "weekday", "Gym", date(SUN, bare_wd(SUN, "mon")))
add("dentist next monday", SUN, "weekday", "Dentist", date(SUN, next_wd(SUN, "mon")),
    note="next monday said on a Sunday = tomorrow")
add("book flights this friday", SUN, "weekday", "Book flights", date(SUN, this_wd(SUN, "fri")))
add("team lunch next friday", SUN, "weekday", "Team lunch", date(SUN, next_wd(SUN, "fri")))
add("brunch on sunday", SUN, "weekday", "Brunch", date(SUN, bare_wd(SUN, "sun")),
    note="bare weekday said on that weekday = 7 days later")
add("brunch this sunday", SUN, "weekday", "Brunch", date(SUN, this_wd(SUN, "sun")),
    note="this sunday said on a Sunday = today")
add("call Sam on monday", TUE, "weekday", "Call Sam", date(TUE, bare_wd(TUE, "mon")))
add("ship the release next friday", TUE, "weekday", "Ship the release",
    date(TUE, next_wd(TUE, "fri")), note="next friday said on a Tuesday = 10 days later")
add("pay the gardener this monday", TUE, "weekday", "Pay the gardener",
    date(TUE, this_wd(TUE, "mon")), note="this monday said on Tuesday = the coming Monday")
add("finish the draft by friday", TUE, "weekday", "Finish the draft", date(TUE, bare_wd(TUE, "fri")))
add("haircut on fri", TUE, "weekday", "Haircut", date(TUE, bare_wd(TUE, "fri")))
add("yoga tuesday", TUE, "weekday", "Yoga", date(TUE, bare_wd(TUE, "tue")),
    note="tuesday said on a Tuesday = 7 days later")
add("choir practice next tuesday", TUE, "weekday", "Choir practice", date(TUE, next_wd(TUE, "tue")))
add("water the orchids this wednesday", WED, "weekday", "Water the orchids",
    date(WED, this_wd(WED, "wed")))
add("piano lesson next wednesday", WED, "weekday", "Piano lesson", date(WED, next_wd(WED, "wed")))
add("family call next sunday", WED, "weekday", "Family call", date(WED, next_wd(WED, "sun")),
    note="next sunday said on Wednesday = Sunday of next ISO week (11 days)")
add("family call this sunday", WED, "weekday", "Family call", date(WED, this_wd(WED, "sun")))
add("this monday: pay the nanny", WED, "weekday", "Pay the nanny", date(WED, this_wd(WED, "mon")),
    note="this monday said on Wednesday = the coming Monday, never a past day")
add("laundry thursday", THU, "weekday", "Laundry", date(THU, bare_wd(THU, "thu")))
add("laundry this thursday", THU, "weekday", "Laundry", date(THU, this_wd(THU, "thu")))
add("call the school next thursday", THU, "weekday", "Call the school",
    date(THU, next_wd(THU, "thu")))
add("expense report friday", FRI, "weekday", "Expense report", date(FRI, bare_wd(FRI, "fri")))
add("expense report this friday", FRI, "weekday", "Expense report", date(FRI, this_wd(FRI, "fri")))
add("expense report next friday", FRI, "weekday", "Expense report", date(FRI, next_wd(FRI, "fri")),
    note="next friday said on a Friday = 7 days later")
add("sprint review next monday", FRI, "weekday", "Sprint review", date(FRI, next_wd(FRI, "mon")))
add("farmers market this saturday", SAT, "weekday", "Farmers market", date(SAT, this_wd(SAT, "sat")))
add("farmers market next saturday", SAT, "weekday", "Farmers market", date(SAT, next_wd(SAT, "sat")))
add("call the bank monday", SAT, "weekday", "Call the bank", date(SAT, bare_wd(SAT, "mon")))
add("call the bank next monday", SAT, "weekday", "Call the bank", date(SAT, next_wd(SAT, "mon")))
add("submit claim on wednesday", BER, "weekday", "Submit claim", date(BER, bare_wd(BER, "wed")))
add("renew visa next friday", BER, "weekday", "Renew visa", date(BER, next_wd(BER, "fri")))
add("ring the council on Friday", LON, "weekday", "Ring the council", date(LON, bare_wd(LON, "fri")))
add("book the MOT next Monday", SYD, "weekday", "Book the MOT", date(SYD, next_wd(SYD, "mon")))
add("thursday: call the landlord", LAX, "weekday", "Call the landlord",
    date(LAX, bare_wd(LAX, "thu")))

# ---- weeks, weekends, ends ----------------------------------------------------------------
add("plan the sprint next week", SUN, "week", "Plan the sprint", date(SUN, next_week(SUN)))
add("plan the sprint next week", FRI, "week", "Plan the sprint", date(FRI, next_week(FRI)))
add("clean the garage this weekend", SUN, "week", "Clean the garage", date(SUN, this_weekend(SUN)),
    note="this weekend said on Sunday = today")
add("clean the garage this weekend", TUE, "week", "Clean the garage", date(TUE, this_weekend(TUE)))
add("clean the garage this weekend", SAT, "week", "Clean the garage", date(SAT, this_weekend(SAT)))
add("visit grandma next weekend", SUN, "week", "Visit grandma", date(SUN, next_weekend(SUN)),
    note="Saturday 7 days after this week's Saturday (which was yesterday)")
add("visit grandma next weekend", TUE, "week", "Visit grandma", date(TUE, next_weekend(TUE)))
add("status update end of week", SUN, "end", "Status update", date(SUN, end_of_week(SUN)))
add("status update by end of week", FRI, "end", "Status update", date(FRI, end_of_week(FRI)),
    note="end of week on a Friday = today")
add("status update end of the week", SAT, "end", "Status update", date(SAT, end_of_week(SAT)))
add("file taxes end of month", SUN, "end", "File taxes", date(SUN, end_of_month(SUN)))
add("file taxes end of month", EOM, "end", "File taxes", date(EOM, end_of_month(EOM)),
    note="on the last day: today 09:00, all day, not 17:00")
add("close the books end of month", FEB27, "end", "Close the books",
    date(FEB27, end_of_month(FEB27)))
add("wrap up Q4 by end of year", SUN, "end", "Wrap up Q4", date(SUN, end_of_year(SUN)))
add("wrap up Q4 by end of year", NYE, "end", "Wrap up Q4", date(NYE, end_of_year(NYE)))
add("archive old mail end of the month", JAN31, "end", "Archive old mail",
    date(JAN31, end_of_month(JAN31)))

# ---- in N ...-----------------------------------------------------------------------------
add("renew passport in 3 weeks", SUN, "in", "Renew passport", date(SUN, plus(SUN, 21)))
add("water the plants in 2 days", SUN, "in", "Water the plants", date(SUN, plus(SUN, 2)))
add("check the oven in 45 minutes", SUN, "in", "Check the oven", elapsed(SUN, 45))
add("call back in 2 hours", SUN, "in", "Call back", elapsed(SUN, 120))
add("stretch in half an hour", SUN, "in", "Stretch", elapsed(SUN, 30))
add("take the bread out in an hour", SUN, "in", "Take the bread out", elapsed(SUN, 60))
add("follow up in 3 months", TUE, "in", "Follow up", date(TUE, in_months(TUE, 3)))
add("check the invoice in 1 month", JAN31, "in", "Check the invoice", date(JAN31, in_months(JAN31, 1)),
    note="Jan 31 + 1 month clamps to Feb 28")
add("dentist checkup in 6 months", EOM, "in", "Dentist checkup", date(EOM, in_months(EOM, 6)))
add("stir the soup in 10 minutes", WED, "in", "Stir the soup", elapsed(WED, 10))
add("call mom in 3 hours", EVE, "in", "Call mom", elapsed(EVE, 180),
    note="21:30 + 3 h crosses midnight")
add("review the contract in 2 weeks", NYE, "in", "Review the contract", date(NYE, plus(NYE, 14)))
add("move the car in 20 minutes", KOL, "in", "Move the car", elapsed(KOL, 20))
add("renew lease in 5 days", LON, "in", "Renew lease", date(LON, plus(LON, 5)))
add("book holiday in 2 weeks", SYD, "in", "Book holiday", date(SYD, plus(SYD, 14)))

# ---- times of day, am/pm rules --------------------------------------------------------------
add("pay rent at 5pm", SUN, "time", "Pay rent", next_time(SUN, 17))
add("meeting at noon", SUN, "time", "Meeting", next_time(SUN, 12))
add("email Bob at 9am", SUN, "time", "Email Bob", next_time(SUN, 9),
    note="09:00 already past at 10:00: tomorrow")
add("run at 8", SUN, "time", "Run", next_time(SUN, 8), note="8 without am/pm = 08:00, past: tomorrow")
add("pick up the kids by 3", SUN, "time", "Pick up the kids", next_time(SUN, 15),
    note="3 without am/pm = 15:00")
add("dinner at 6", SUN, "time", "Dinner", next_time(SUN, 18))
add("review PR at 17:00", SUN, "time", "Review PR", next_time(SUN, 17))
add("standup at 0930", SUN, "time", "Standup", next_time(SUN, 9, 30))
add("submit the form at midnight", SUN, "time", "Submit the form", at(SUN, plus(SUN, 1), 0))
add("flight at 12am", SUN, "time", "Flight", at(SUN, plus(SUN, 1), 0))
add("call the bank at midday", SUN, "time", "Call the bank", next_time(SUN, 12))
add("lunch with Priya at 12", SUN, "time", "Lunch with Priya", next_time(SUN, 12),
    note="12 without am/pm = noon")
add("send invoice eod", SUN, "time", "Send invoice", next_time(SUN, 17))
add("call the pharmacy at 1pm", WED, "time", "Call the pharmacy", next_time(WED, 13),
    note="13:00 already past at 14:00: tomorrow")
add("call the pharmacy at 5pm", WED, "time", "Call the pharmacy", next_time(WED, 17))
add("sync with design at 2", WED, "time", "Sync with design", next_time(WED, 14),
    note="14:00 said at 14:00 exactly: strictly after now = tomorrow")
add("take meds at 9:30", WED, "time", "Take meds", next_time(WED, 9, 30),
    note="9:30 without am/pm = 09:30")
add("take meds at 8", THU, "time", "Take meds", next_time(THU, 8),
    note="08:00 said at 08:00: tomorrow")
add("take meds at 9", THU, "time", "Take meds", next_time(THU, 9))
add("call the office at 11", THU, "time", "Call the office", next_time(THU, 11))
add("pay rent at 5pm", EVE, "time", "Pay rent", next_time(EVE, 17))
add("walk the dog at 7", EVE, "time", "Walk the dog", next_time(EVE, 19),
    note="7 = 19:00, past at 21:30: tomorrow 19:00")
add("feed the fish at noon", EVE, "time", "Feed the fish", next_time(EVE, 12))
add("lock up at midnight", EVE, "time", "Lock up", at(EVE, plus(EVE, 1), 0))
add("pack lunch at 7:45am", EVE, "time", "Pack lunch", next_time(EVE, 7, 45))
add("pick up prescription at 17:30", LON, "time", "Pick up prescription", next_time(LON, 17, 30))
add("call the plumber at 6", LON, "time", "Call the plumber", next_time(LON, 18))
add("team call at 9pm", LAX, "time", "Team call", next_time(LAX, 21))
add("gym at 9", LAX_EVE, "time", "Gym", next_time(LAX_EVE, 9))
add("tea with Raj at 4:15pm", KOL, "time", "Tea with Raj", next_time(KOL, 16, 15))

# ---- a day and a time, parts of day -------------------------------------------------------
add("call the vet tomorrow at 5", SUN, "daytime", "Call the vet", at(SUN, plus(SUN, 1), 17))
add("tomorrow at 5 call the vet", SUN, "daytime", "Call the vet", at(SUN, plus(SUN, 1), 17))
add("doctor tmr at 10:15", SUN, "daytime", "Doctor", at(SUN, plus(SUN, 1), 10, 15))
add("finish slides tomorrow morning", SUN, "daytime", "Finish slides", at(SUN, plus(SUN, 1), 9))
add("call the plumber tomorrow afternoon", SUN, "daytime", "Call the plumber",
    at(SUN, plus(SUN, 1), 15))
add("read the book tomorrow evening", SUN, "daytime", "Read the book", at(SUN, plus(SUN, 1), 20))
add("take out the trash tonight", SUN, "daytime", "Take out the trash", at(SUN, SUN.today, 20))
add("call dad tonight at 9", SUN, "daytime", "Call dad", at(SUN, SUN.today, 21),
    note="tonight at 9 = today 21:00")
add("watch the match tonight", KOL, "daytime", "Watch the match", at(KOL, KOL.today, 20))
add("dentist friday at 3pm", SUN, "daytime", "Dentist", at(SUN, bare_wd(SUN, "fri"), 15))
add("dentist on friday at 3", TUE, "daytime", "Dentist", at(TUE, bare_wd(TUE, "fri"), 15))
add("interview next tuesday at 10:30am", SUN, "daytime", "Interview",
    at(SUN, next_wd(SUN, "tue"), 10, 30))
add("haircut saturday morning", TUE, "daytime", "Haircut", at(TUE, bare_wd(TUE, "sat"), 9))
add("drinks friday night", TUE, "daytime", "Drinks", at(TUE, bare_wd(TUE, "fri"), 20))
add("call the client tomorrow at noon", WED, "daytime", "Call the client", at(WED, plus(WED, 1), 12))
add("alarm for the airport tomorrow at 8", EVE, "daytime", "Alarm for the airport",
    at(EVE, plus(EVE, 1), 8))
add("meeting at 3pm on Jan 27", SUN, "daytime", "Meeting", at(SUN, month_day(SUN, 1, 27), 15))
add("submit grant on the 15th at 17:00", SUN, "daytime", "Submit grant", at(SUN, nth(SUN, 15), 17))
add("tomorrow at 17:00 call the tax office", BER, "daytime", "Call the tax office",
    at(BER, plus(BER, 1), 17))
add("call the bank tomorrow at 9:30", KOL, "daytime", "Call the bank", at(KOL, plus(KOL, 1), 9, 30))
add("meet Tom tomorrow morning", LAX_EVE, "daytime", "Meet Tom", at(LAX_EVE, plus(LAX_EVE, 1), 9))
add("standup monday at 9", SAT, "daytime", "Standup", at(SAT, bare_wd(SAT, "mon"), 9))
add("pitch deck friday eod", WED, "daytime", "Pitch deck", at(WED, bare_wd(WED, "fri"), 17),
    note="eod = 17:00")

# ---- dates without a year, the Nth, numeric dates by zone ---------------------------------
add("party on Jan 27", SUN, "monthday", "Party", date(SUN, month_day(SUN, 1, 27)))
add("anniversary dinner 27 Jan", SUN, "monthday", "Anniversary dinner",
    date(SUN, month_day(SUN, 1, 27)))
add("buy gifts on the 15th", SUN, "monthday", "Buy gifts", date(SUN, nth(SUN, 15)))
add("pay the nanny on the 6th", SUN, "monthday", "Pay the nanny", date(SUN, nth(SUN, 6)),
    note="the 6th said on the 6th = today")
add("pay the nanny on the 5th", SUN, "monthday", "Pay the nanny", date(SUN, nth(SUN, 5)),
    note="the 5th already past: next month")
add("recital on December 20", SUN, "monthday", "Recital", date(SUN, month_day(SUN, 12, 20)))
add("ski trip on Feb 14", SUN, "monthday", "Ski trip", date(SUN, month_day(SUN, 2, 14)))
add("call Lena on Dec 5", SUN, "monthday", "Call Lena", date(SUN, month_day(SUN, 12, 5)),
    note="Dec 5 is past: next year")
add("close out on Dec 31", NYE, "monthday", "Close out", date(NYE, month_day(NYE, 12, 31)))
add("order cake for Dec 30", NYE, "monthday", "Order cake", date(NYE, month_day(NYE, 12, 30)),
    note="Dec 30 said on Dec 31: next year")
add("pay the rent on the 31st", EOM, "monthday", "Pay the rent", date(EOM, nth(EOM, 31)))
add("send the invoice on the 30th", JAN31, "monthday", "Send the invoice", date(JAN31, nth(JAN31, 30)),
    note="Jan 30 past, February has no 30th: March 30")
add("renew on the 29th", FEB27, "monthday", "Renew", date(FEB27, nth(FEB27, 29)),
    note="2026 February has no 29th: March 29")
add("submit timesheet 12/24", SUN, "numeric", "Submit timesheet", date(SUN, month_day(SUN, 12, 24)),
    note="month/day in America/New_York")
add("pay invoice 1/5", SUN, "numeric", "Pay invoice", date(SUN, month_day(SUN, 1, 5)),
    note="1/5 in New York = January 5")
add("pay invoice 5/1", SUN, "numeric", "Pay invoice", date(SUN, month_day(SUN, 5, 1)),
    note="5/1 in New York = May 1")
add("pay invoice 5/1", BER, "numeric", "Pay invoice", date(BER, month_day(BER, 1, 5)),
    note="5/1 in Berlin = 5 January")
add("dentist 5/3", BER, "numeric", "Dentist", date(BER, month_day(BER, 3, 5)),
    note="day/month outside New York")
add("Weihnachtsfeier 24.12.", BER, "numeric", "Weihnachtsfeier", date(BER, month_day(BER, 12, 24)))
add("hand in thesis 27/1", BER, "numeric", "Hand in thesis", date(BER, month_day(BER, 1, 27)))
add("book train 1/2", LON, "numeric", "Book train", date(LON, month_day(LON, 2, 1)),
    note="1/2 in London = 1 February")
add("visa appointment 3/4", KOL, "numeric", "Visa appointment", date(KOL, month_day(KOL, 4, 3)))
add("concert 6/12", UTC0, "numeric", "Concert", date(UTC0, month_day(UTC0, 12, 6)),
    note="6 December said on 6 December: today")
add("graduation 1/6", SYD, "numeric", "Graduation", date(SYD, month_day(SYD, 6, 1)),
    note="June in Sydney: AEST +10:00, not now's +11:00")
add("Independence Day bbq on Jul 4", SYD, "monthday", "Independence Day bbq",
    date(SYD, month_day(SYD, 7, 4)))
add("conference on March 30 at 9am", BER, "daytime", "Conference",
    at(BER, month_day(BER, 3, 30), 9), note="CEST +02:00 at the due instant")

# ---- DST gap and fold ------------------------------------------------------------------------
add("feed the baby tomorrow at 2:30am", SPRING_EVE, "dst", "Feed the baby",
    at(SPRING_EVE, plus(SPRING_EVE, 1), 2, 30), note="02:30 does not exist: 03:30-04:00")
add("dentist tomorrow at 9am", SPRING_EVE, "dst", "Dentist", at(SPRING_EVE, plus(SPRING_EVE, 1), 9),
    note="offset at the due instant (-04:00), not now's")
add("pay bills tomorrow", SPRING_EVE, "dst", "Pay bills", date(SPRING_EVE, plus(SPRING_EVE, 1)))
add("check the oven in 2 hours", SPRING, "dst", "Check the oven", elapsed(SPRING, 120),
    note="01:30 EST + 2 elapsed hours = 04:30 EDT")
add("call in 1 hour", SPRING, "dst", "Call", elapsed(SPRING, 60))
add("turn off the heater at 2:30am", SPRING, "dst", "Turn off the heater",
    at(SPRING, SPRING.today, 2, 30), note="gap time today moves to 03:30 EDT, still ahead")
add("call the night shift at 3am", SPRING, "dst", "Call the night shift", next_time(SPRING, 3))
add("feed the baby tomorrow at 1:30am", FALL_EVE, "dst", "Feed the baby",
    at(FALL_EVE, plus(FALL_EVE, 1), 1, 30), note="01:30 happens twice: the first (EDT)")
add("dentist tomorrow at 9am", FALL_EVE, "dst", "Dentist", at(FALL_EVE, plus(FALL_EVE, 1), 9),
    note="-05:00 at the due instant")
add("check the server in 1 hour", FALL, "dst", "Check the server", elapsed(FALL, 60),
    note="01:30 EDT + 1 h = 01:30 EST")
add("check the server in 2 hours", FALL, "dst", "Check the server", elapsed(FALL, 120))
add("bake bread tomorrow at 2:30", BER_SPRING, "dst", "Bake bread",
    at(BER_SPRING, plus(BER_SPRING, 1), 14, 30), note="2:30 = 14:30 (1-7 mean pm): no gap")
add("bake bread tomorrow at 02:30", BER_SPRING, "dst", "Bake bread",
    at(BER_SPRING, plus(BER_SPRING, 1), 2, 30), note="02:30 does not exist in Berlin: 03:30+02:00")
add("school run tomorrow at 8", BER_SPRING, "dst", "School run",
    at(BER_SPRING, plus(BER_SPRING, 1), 8))

# ---- recurrence ------------------------------------------------------------------------------
add("pay rent on the 1st of every month", SUN, "recur", "Pay rent",
    date(SUN, first_date(SUN, is_mday(1))), "FREQ=MONTHLY;BYMONTHDAY=1")
add("remind me to pay rent on the 1st of every month", SUN, "recur", "Pay rent",
    date(SUN, first_date(SUN, is_mday(1))), "FREQ=MONTHLY;BYMONTHDAY=1")
add("water plants every day", SUN, "recur", "Water plants", date(SUN, SUN.today), "FREQ=DAILY",
    note="date-only series starts today")
add("take vitamins every day at 8am", SUN, "recur", "Take vitamins",
    first_timed(SUN, lambda d: True, 8), "FREQ=DAILY")
add("standup every weekday at 9:30", SUN, "recur", "Standup",
    first_timed(SUN, is_wd("mon", "tue", "wed", "thu", "fri"), 9, 30),
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
add("check email every weekday at 9", FRI, "recur", "Check email",
    first_timed(FRI, is_wd("mon", "tue", "wed", "thu", "fri"), 9),
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", note="Friday 09:00 past at 11:00: Monday")
add("clean the house every weekend", SUN, "recur", "Clean the house",
    date(SUN, first_date(SUN, is_wd("sat", "sun"))), "FREQ=WEEKLY;BYDAY=SA,SU")
add("gym every monday and thursday", SUN, "recur", "Gym",
    date(SUN, first_date(SUN, is_wd("mon", "thu"))), "FREQ=WEEKLY;BYDAY=MO,TH")
add("gym every thursday and monday at 7am", TUE, "recur", "Gym",
    first_timed(TUE, is_wd("mon", "thu"), 7), "FREQ=WEEKLY;BYDAY=MO,TH",
    note="weekdays in MO..SU order")
add("take out recycling every other week", SUN, "recur", "Take out recycling", date(SUN, SUN.today),
    "FREQ=WEEKLY;INTERVAL=2")
add("payroll every 2 weeks", TUE, "recur", "Payroll", date(TUE, TUE.today), "FREQ=WEEKLY;INTERVAL=2",
    note="no BYDAY: the weekday comes from due")
add("book club every other tuesday", SUN, "recur", "Book club",
    date(SUN, first_date(SUN, is_wd("tue"))), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
add("team retro biweekly on friday", SUN, "recur", "Team retro",
    date(SUN, first_date(SUN, is_wd("fri"))), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")
add("review budget on the last friday of every month", SUN, "recur", "Review budget",
    date(SUN, first_date(SUN, is_last_wd_of_month("fri"))), "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1",
    note="as the spec writes 'last weekday of the month' (BYDAY + BYSETPOS=-1), not BYDAY=-1FR")
add("submit timesheet on the last weekday of every month", SUN, "recur", "Submit timesheet",
    date(SUN, first_date(SUN, is_last_weekday_of_month)),
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
add("change the air filter every 3 months", SUN, "recur", "Change the air filter",
    date(SUN, SUN.today), "FREQ=MONTHLY;INTERVAL=3")
add("pay estimated taxes every quarter", SUN, "recur", "Pay estimated taxes", date(SUN, SUN.today),
    "FREQ=MONTHLY;INTERVAL=3")
add("renew the domain every year", SUN, "recur", "Renew the domain", date(SUN, SUN.today),
    "FREQ=YEARLY")
add("mom's birthday every year on March 3", SUN, "recur", "Mom's birthday",
    date(SUN, first_date(SUN, is_ymd(3, 3))), "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3")
add("physio exercises every day for 10 days", SUN, "recur", "Physio exercises",
    date(SUN, SUN.today), "FREQ=DAILY;COUNT=10")
add("take antibiotics every day at 9pm 10 times", SUN, "recur", "Take antibiotics",
    first_timed(SUN, lambda d: True, 21), "FREQ=DAILY;COUNT=10")
add("stretch every morning", SUN, "recur", "Stretch", first_timed(SUN, lambda d: True, 9),
    "FREQ=DAILY", note="morning = 09:00, timed: tomorrow when 09:00 is past")
add("journal every evening", SUN, "recur", "Journal", first_timed(SUN, lambda d: True, 20),
    "FREQ=DAILY")
add("every monday at 10am team sync", SUN, "recur", "Team sync", first_timed(SUN, is_wd("mon"), 10),
    "FREQ=WEEKLY;BYDAY=MO")
add("weekly report every friday at 4pm", SUN, "recur", "Weekly report",
    first_timed(SUN, is_wd("fri"), 16), "FREQ=WEEKLY;BYDAY=FR")
add("every month on the 15th pay the credit card", SUN, "recur", "Pay the credit card",
    date(SUN, first_date(SUN, is_mday(15))), "FREQ=MONTHLY;BYMONTHDAY=15")
add("call grandma every sunday", SUN, "recur", "Call grandma", date(SUN, SUN.today),
    "FREQ=WEEKLY;BYDAY=SU", note="date-only series on its own weekday starts today")
add("call grandma every sunday at 9am", SUN, "recur", "Call grandma",
    first_timed(SUN, is_wd("sun"), 9), "FREQ=WEEKLY;BYDAY=SU")
add("pay the rent every month on the 31st", EOM, "recur", "Pay the rent",
    date(EOM, first_date(EOM, is_mday(31))), "FREQ=MONTHLY;BYMONTHDAY=31")
add("meditate every day starting next monday", TUE, "recur", "Meditate",
    date(TUE, next_wd(TUE, "mon")), "FREQ=DAILY")
add("bin day every tuesday at 7", BER, "recur", "Bin day", first_timed(BER, is_wd("tue"), 19),
    "FREQ=WEEKLY;BYDAY=TU", note="7 = 19:00, still ahead today")
add("pay VAT every 3 months on the 10th", LON, "recur", "Pay VAT",
    date(LON, first_date(LON, is_mday(10))), "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10")
add("new year's resolutions every year on Dec 31", NYE, "recur", "New year's resolutions",
    date(NYE, NYE.today), "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31")
add("night feed every day at 2:30am", SPRING_EVE, "recur", "Night feed",
    first_timed(SPRING_EVE, lambda d: True, 2, 30), "FREQ=DAILY",
    note="first occurrence falls in the gap: 03:30-04:00")
add("run every weekday at 6am", SYD, "recur", "Run",
    first_timed(SYD, is_wd("mon", "tue", "wed", "thu", "fri"), 6),
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
add("water the garden every 2 days at 7pm", KOL, "recur", "Water the garden",
    first_timed(KOL, lambda d: True, 19), "FREQ=DAILY;INTERVAL=2")
add("daily standup at 9:15", MON, "recur", "Standup", first_timed(MON, lambda d: True, 9, 15),
    "FREQ=DAILY", note="'daily' = every day; 09:15 past at 09:30")
add("weekly groceries on saturday", TUE, "recur", "Groceries",
    date(TUE, first_date(TUE, is_wd("sat"))), "FREQ=WEEKLY;BYDAY=SA")
add("monthly backup on the 1st", SUN, "recur", "Backup", date(SUN, first_date(SUN, is_mday(1))),
    "FREQ=MONTHLY;BYMONTHDAY=1")

# ---- from completion ------------------------------------------------------------------------
add("water the lawn every 3 days after I finish it", SUN, "completion", "Water the lawn",
    date(SUN, SUN.today), "FREQ=DAILY;INTERVAL=3", True)
add("mow the lawn every 2 weeks after done", SUN, "completion", "Mow the lawn",
    date(SUN, SUN.today), "FREQ=WEEKLY;INTERVAL=2", True)
add("get a haircut every 6 weeks from when I complete it", TUE, "completion", "Get a haircut",
    date(TUE, TUE.today), "FREQ=WEEKLY;INTERVAL=6", True)
add("clean the fridge every month after I finish it", WED, "completion", "Clean the fridge",
    date(WED, WED.today), "FREQ=MONTHLY", True)
add("replace toothbrush every 3 months after done", LON, "completion", "Replace toothbrush",
    date(LON, LON.today), "FREQ=MONTHLY;INTERVAL=3", True)
add("water the ferns every 4 days", SUN, "completion", "Water the ferns", date(SUN, SUN.today),
    "FREQ=DAILY;INTERVAL=4", False, note="no completion phrase: from_completion false")

# ---- reminders ------------------------------------------------------------------------------
add("dentist tomorrow at 3pm remind me 30 minutes before", SUN, "reminder", "Dentist",
    at(SUN, plus(SUN, 1), 15), reminders=[{"before": "PT30M"}])
add("call John friday at 10am, remind me 1 hour before", SUN, "reminder", "Call John",
    at(SUN, bare_wd(SUN, "fri"), 10), reminders=[{"before": "PT1H"}])
add("board meeting on Jan 27 at 2pm remind me 2 hours before", SUN, "reminder", "Board meeting",
    at(SUN, month_day(SUN, 1, 27), 14), reminders=[{"before": "PT2H"}])
add("pick up Leo at 4 and remind me 15 minutes before", WED, "reminder", "Pick up Leo",
    next_time(WED, 16), reminders=[{"before": "PT15M"}])
add("pay rent tomorrow, remind me at 8am", SUN, "reminder", "Pay rent", date(SUN, plus(SUN, 1)),
    reminders=[reminder_at(SUN, plus(SUN, 1), 8)],
    note="an absolute reminder on the due day; any RFC 3339 spelling of the instant matches")

# ---- titles: lead-ins, polite / chatty / terse / British / questions ------------------------
add("remind me to call mom tomorrow", SUN, "title", "Call mom", date(SUN, plus(SUN, 1)))
add("remember to buy eggs", SUN, "title", "Buy eggs")
add("add task buy milk", SUN, "title", "Buy milk")
add("buy milk", SUN, "title", "Buy milk")
add("add a task to renew my passport", SUN, "title", "Renew my passport")
add("create a task to fix the bike", SUN, "title", "Fix the bike")
add("new task: clean the fridge", SUN, "title", "Clean the fridge")
add("i need to call the bank tomorrow", SUN, "style", "Call the bank", date(SUN, plus(SUN, 1)))
add("I need to finish the slides by thursday", SUN, "style", "Finish the slides",
    date(SUN, bare_wd(SUN, "thu")))
add("please remind me to feed the cat at 6", SUN, "style", "Feed the cat", next_time(SUN, 18))
add("can you remind me to pick up the dry cleaning on friday?", SUN, "style",
    "Pick up the dry cleaning", date(SUN, bare_wd(SUN, "fri")))
add("Could you please remind me to renew my car insurance next Tuesday?", SUN, "style",
    "Renew my car insurance", date(SUN, next_wd(SUN, "tue")))
add("Would you mind adding a task to book the venue on Jan 27?", SUN, "style", "Book the venue",
    date(SUN, month_day(SUN, 1, 27)))
add("hey, I need to remember to email Sarah about the budget on friday", SUN, "style",
    "Email Sarah about the budget", date(SUN, bare_wd(SUN, "fri")))
add("Meeting with the CEO at 3pm", SUN, "title", "Meeting with the CEO", next_time(SUN, 15),
    note="the rest as typed")
add("submit report by friday", SUN, "title", "Submit report", date(SUN, bare_wd(SUN, "fri")),
    note="no dangling 'by'")
add("call mom on monday", SUN, "title", "Call mom", date(SUN, bare_wd(SUN, "mon")))
add("milk tmrw", SUN, "style", "Milk", date(SUN, plus(SUN, 1)))
add("Pick up the prescription at Boots on Friday", LON, "style",
    "Pick up the prescription at Boots", date(LON, bare_wd(LON, "fri")),
    note="'at Boots' is not a time")
add("remind me to phone the GP surgery tomorrow morning", LON, "style", "Phone the GP surgery",
    at(LON, plus(LON, 1), 9))
add("Add 'Call mom tonight'", SUN, "title", "Call mom tonight",
    note="quoted words stay the title: no date read inside quotes")
add("add \"Read 1984\" to my list", SUN, "title", "Read 1984")
add("remind me to send the Q3 numbers to Dana at 4", TUE, "style", "Send the Q3 numbers to Dana",
    next_time(TUE, 16))
add("I have to renew my driver's license next week", TUE, "style", "Renew my driver's license",
    date(TUE, next_week(TUE)))
add("don't let me forget to water the plants tonight", TUE, "style", "Water the plants",
    at(TUE, TUE.today, 20))
add("set a reminder to take out the bins on thursday", LON, "style", "Take out the bins",
    date(LON, bare_wd(LON, "thu")))
add("remind me to call the landlord at 10 tomorrow", SUN, "style", "Call the landlord",
    at(SUN, plus(SUN, 1), 10))
add("Remind me to pick up Mia from school at 3:15", KOL, "style", "Pick up Mia from school",
    next_time(KOL, 15, 15))
add("todo: fix the leaking tap", LON, "title", "Fix the leaking tap")

# ---- not dates ------------------------------------------------------------------------------
add("review the May invoice", SUN, "nondate", "Review the May invoice")
add("prepare 2025 budget", SUN, "nondate", "Prepare 2025 budget")
add("fix the printer on the 3rd floor", SUN, "nondate", "Fix the printer on the 3rd floor")
add("book a table for 4", SUN, "nondate", "Book a table for 4")
add("call April", SUN, "nondate", "Call April")
add("email Jan about the contract", SUN, "nondate", "Email Jan about the contract")
add("read chapter 12", SUN, "nondate", "Read chapter 12")
add("buy 2 cartons of milk", SUN, "nondate", "Buy 2 cartons of milk")
add("revise the 2026 roadmap", BER, "nondate", "Revise the 2026 roadmap")
add("order 5 pizzas", LON, "nondate", "Order 5 pizzas")
add("pay $300 for the deposit", LAX, "nondate", "Pay $300 for the deposit")
add("plan April's trip", KOL, "nondate", "Plan April's trip")
add("pick up 3 boxes from the 2nd floor", SYD, "nondate", "Pick up 3 boxes from the 2nd floor")
add("file the Jan expenses", SUN, "nondate", "File the Jan expenses")
add("watch episode 7", UTC0, "nondate", "Watch episode 7")

# ---- quick-add tokens, priorities in words -------------------------------------------------
add("Buy milk #groceries", SUN, "quickadd", "Buy milk", tags=["groceries"])
add("Buy milk #groceries !high", SUN, "quickadd", "Buy milk", tags=["groceries"], priority="high")
add("Call mom tomorrow p1", SUN, "quickadd", "Call mom", date(SUN, plus(SUN, 1)), priority="high",
    note="p1 = high, p2 = medium, p3 = low")
add("Fix bug #work #urgent p2", SUN, "quickadd", "Fix bug", tags=["work", "urgent"],
    priority="medium")
add("Water plants !low", SUN, "quickadd", "Water plants", priority="low")
add("Plan trip #travel !medium next friday", SUN, "quickadd", "Plan trip",
    date(SUN, next_wd(SUN, "fri")), tags=["travel"], priority="medium")
add("p3 read the article", SUN, "quickadd", "Read the article", priority="low")
add("#home clean the gutters", SUN, "quickadd", "Clean the gutters", tags=["home"])
add("Pay rent #bills every month on the 1st", SUN, "quickadd", "Pay rent",
    date(SUN, first_date(SUN, is_mday(1))), "FREQ=MONTHLY;BYMONTHDAY=1", tags=["bills"])
add("Email the team #work at 4pm", SUN, "quickadd", "Email the team", next_time(SUN, 16),
    tags=["work"])
add("!high submit visa forms friday", TUE, "quickadd", "Submit visa forms",
    date(TUE, bare_wd(TUE, "fri")), priority="high")
add("add a high priority task to call the bank", SUN, "priority", "Call the bank",
    priority="high")
add("low priority: clean the desk", SUN, "priority", "Clean the desk", priority="low")
add("call the insurer tomorrow, high priority", SUN, "priority", "Call the insurer",
    date(SUN, plus(SUN, 1)), priority="high")
add("medium priority fix the fence", SUN, "priority", "Fix the fence", priority="medium")
add("urgent: renew the insurance", SUN, "priority", "Renew the insurance", priority="high",
    note="'urgent' = high")

# ---- complete / reopen / delete: targets by id, words, "it", all ----------------------------
cmd("complete task 3", SUN, "complete", "complete", target={"id": 3})
cmd("mark task 12 as done", SUN, "complete", "complete", target={"id": 12})
cmd("I finished task 4", SUN, "complete", "complete", target={"id": 4})
cmd("done with task 7", SUN, "complete", "complete", target={"id": 7})
cmd("task 5 is done", SUN, "complete", "complete", target={"id": 5})
cmd("check off the groceries task", SUN, "complete", "complete", target={"words": "groceries"})
cmd("mark buy milk as done", SUN, "complete", "complete", target={"words": "buy milk"})
cmd("mark it done", SUN, "complete", "complete", target={"previous": True})
cmd("finished it", SUN, "complete", "complete", target={"previous": True})
cmd("complete all my tasks", SUN, "complete", "complete", target={"all": True})
cmd("mark everything as done", SUN, "complete", "complete", target={"all": True})
cmd("please complete task 21", LON, "complete", "complete", target={"id": 21})
cmd("Could you mark task 2 as complete?", LON, "complete", "complete", target={"id": 2})
cmd("reopen task 3", SUN, "reopen", "reopen", target={"id": 3})
cmd("mark task 9 as not done", SUN, "reopen", "reopen", target={"id": 9})
cmd("uncheck task 6", SUN, "reopen", "reopen", target={"id": 6})
cmd("mark task 14 as incomplete", SUN, "reopen", "reopen", target={"id": 14})
cmd("reopen it", SUN, "reopen", "reopen", target={"previous": True})
cmd("reopen the dentist task", SUN, "reopen", "reopen", target={"words": "dentist"})
cmd("undo that, task 4 isn't finished", SUN, "reopen", "reopen", target={"id": 4})
cmd("delete task 3", SUN, "delete", "delete", target={"id": 3})
cmd("remove task 10", SUN, "delete", "delete", target={"id": 10})
cmd("delete the groceries task", SUN, "delete", "delete", target={"words": "groceries"})
cmd("get rid of the gym task", SUN, "delete", "delete", target={"words": "gym"})
cmd("delete it", SUN, "delete", "delete", target={"previous": True})
cmd("remove it", SUN, "delete", "delete", target={"previous": True})
cmd("delete all my tasks", SUN, "delete", "delete", target={"all": True})
cmd("remove all tasks", SUN, "delete", "delete", target={"all": True})
cmd("please delete task 42", KOL, "delete", "delete", target={"id": 42})
cmd("can you remove task number 8?", KOL, "delete", "delete", target={"id": 8})
cmd("erase task 15", LAX, "delete", "delete", target={"id": 15})

# ---- update of each field -------------------------------------------------------------------
cmd("make it high priority", SUN, "update", "update", target={"previous": True}, priority="high")
cmd("set task 4 to low priority", SUN, "update", "update", target={"id": 4}, priority="low")
cmd("change the priority of task 9 to medium", SUN, "update", "update", target={"id": 9},
    priority="medium")
cmd("make the report task urgent", SUN, "update", "update", target={"words": "report"},
    priority="high", note="'urgent' = high")
cmd("change task 1 to 'Call mom tonight'", SUN, "update", "update", target={"id": 1},
    title="Call mom tonight", due=None, note="quoted words stay the title, no date read")
cmd("rename task 2 to buy oat milk", SUN, "update", "update", target={"id": 2},
    title="Buy oat milk")
cmd("rename it to Pay the electric bill", SUN, "update", "update", target={"previous": True},
    title="Pay the electric bill")
cmd("move task 5 to friday", SUN, "update", "update", target={"id": 5},
    **date(SUN, bare_wd(SUN, "fri")))
cmd("task 3 is due tomorrow at 5pm", SUN, "update", "update", target={"id": 3},
    **at(SUN, plus(SUN, 1), 17))
cmd("postpone task 6 to next week", TUE, "update", "update", target={"id": 6},
    **date(TUE, next_week(TUE)))
cmd("push it to tomorrow", SUN, "update", "update", target={"previous": True},
    **date(SUN, plus(SUN, 1)))
cmd("reschedule the dentist task to Jan 27 at 3pm", SUN, "update", "update",
    target={"words": "dentist"}, **at(SUN, month_day(SUN, 1, 27), 15))
cmd("move it to 9am", WED, "update", "update", target={"previous": True}, **next_time(WED, 9))
cmd("tag task 2 with work", SUN, "update", "update", target={"id": 2}, tags=["work"])
cmd("add the tag home to task 8", SUN, "update", "update", target={"id": 8}, tags=["home"])
cmd("remove the home tag from task 8", SUN, "update", "update", target={"id": 8},
    remove_tags=["home"])
cmd("clear the due date on task 6", SUN, "update", "update", target={"id": 6}, clear=["due"])
cmd("stop repeating task 7", SUN, "update", "update", target={"id": 7}, clear=["recurrence"])
cmd("remove the reminders from task 3", SUN, "update", "update", target={"id": 3},
    clear=["reminders"])
cmd("make task 8 repeat every monday", SUN, "update", "update", target={"id": 8},
    rrule="FREQ=WEEKLY;BYDAY=MO")
cmd("make it repeat every day", SUN, "update", "update", target={"previous": True},
    rrule="FREQ=DAILY")
cmd("task 12 should repeat every 2 weeks after I finish it", SUN, "update", "update",
    target={"id": 12}, rrule="FREQ=WEEKLY;INTERVAL=2", from_completion=True)
cmd("remind me about task 3 30 minutes before", SUN, "update", "update", target={"id": 3},
    reminders=[{"before": "PT30M"}])
cmd("set the description of task 2 to Bring the receipts and the ID", SUN, "update", "update",
    target={"id": 2}, description="Bring the receipts and the ID")
cmd("change the priority of the report task to medium", SUN, "update", "update",
    target={"words": "report"}, priority="medium")
cmd("lower the priority of task 11", SUN, "update", "update", target={"id": 11},
    note="only intent and target: how far 'lower' goes is the parser's to decide")

# ---- list / search / filter -----------------------------------------------------------------
cmd("show my tasks", SUN, "list", "list")
cmd("what do I have to do?", SUN, "list", "list")
cmd("list everything", SUN, "list", "list")
cmd("show completed tasks", SUN, "list", "list", filter={"status": "completed"})
cmd("what's still pending?", SUN, "list", "list", filter={"status": "pending"})
cmd("what's due today", SUN, "list", "list", filter={"due": "today"})
cmd("anything due tomorrow?", SUN, "list", "list", filter={"due": "tomorrow"})
cmd("what's overdue", SUN, "list", "list", filter={"due": "overdue"})
cmd("show me this week's tasks", SUN, "list", "list", filter={"due": "week"})
cmd("list high priority tasks", SUN, "list", "list", filter={"priority": ["high"]})
cmd("show tasks tagged work", SUN, "list", "list", filter={"tags": ["work"]})
cmd("show my #home tasks", SUN, "list", "list", filter={"tags": ["home"]})
cmd("search for dentist", SUN, "list", "list", filter={"q": "dentist"})
cmd("find tasks mentioning taxes", SUN, "list", "list", filter={"q": "taxes"})
cmd("show pending tasks sorted by due date", SUN, "list", "list",
    filter={"status": "pending", "sort": "due_at"})
cmd("which tasks have no due date", SUN, "list", "list", filter={"due": "none"})
cmd("What's on my plate today?", LON, "list", "list", filter={"due": "today"})
cmd("show me the urgent stuff", LON, "list", "list", filter={"priority": ["high"]},
    note="'urgent' = high")

# ---- help, confirm, cancel, unknown --------------------------------------------------------
cmd("help", SUN, "help", "help")
cmd("what can you do?", SUN, "help", "help")
cmd("How does this work", SUN, "help", "help")
cmd("yes", SUN, "confirm", "confirm")
cmd("Yes please", SUN, "confirm", "confirm")
cmd("yep", SUN, "confirm", "confirm")
cmd("confirm", SUN, "confirm", "confirm")
cmd("sure, go ahead", SUN, "confirm", "confirm")
cmd("no", SUN, "cancel", "cancel")
cmd("nope", SUN, "cancel", "cancel")
cmd("cancel", SUN, "cancel", "cancel")
cmd("never mind", SUN, "cancel", "cancel")
cmd("No, keep them", SUN, "cancel", "cancel")
cmd("asdfghjkl", SUN, "unknown", "unknown", due=None)
cmd("what's the weather like?", SUN, "unknown", "unknown", due=None)
cmd("", SUN, "unknown", "unknown", title=None, due=None)
cmd("   ", SUN, "unknown", "unknown", title=None, due=None)
cmd("\u00bfqu\u00e9 tal?", SUN, "unknown", "unknown", due=None)

# ---- typos and MIXED CASE ------------------------------------------------------------------
add("REMIND ME TO CALL MOM TOMORROW", SUN, "typo", "CALL MOM", date(SUN, plus(SUN, 1)),
    note="the rest as typed")
add("Pay Rent On Friday", SUN, "typo", "Pay Rent", date(SUN, bare_wd(SUN, "fri")))
add("call mom tomorow", SUN, "typo", "Call mom", date(SUN, plus(SUN, 1)))
add("submit essay tommorrow", SUN, "typo", "Submit essay", date(SUN, plus(SUN, 1)))
add("dentist on wednsday", SUN, "typo", "Dentist", date(SUN, bare_wd(SUN, "wed")))
add("pay bills on fridya", SUN, "typo", "Pay bills", date(SUN, bare_wd(SUN, "fri")))
add("meeting next tuseday", SUN, "typo", "Meeting", date(SUN, next_wd(SUN, "tue")))
add("remidn me to buy eggs", SUN, "typo", "Buy eggs")
add("call bob tmrw at 5PM", SUN, "typo", "Call bob", at(SUN, plus(SUN, 1), 17))
add("every MONDAY at 9AM team sync", SUN, "typo", "Team sync", first_timed(SUN, is_wd("mon"), 9),
    "FREQ=WEEKLY;BYDAY=MO")
add("Dinner With Sam At 7PM Tonight", SUN, "typo", "Dinner With Sam", at(SUN, SUN.today, 19))
add("water plants EVERY DAY", SUN, "typo", "Water plants", date(SUN, SUN.today), "FREQ=DAILY")
add("buy milk Tomorrow Morning", SUN, "typo", "Buy milk", at(SUN, plus(SUN, 1), 9))
add("call the bank in 2 hrs", SUN, "typo", "Call the bank", elapsed(SUN, 120))
add("stretch in 15 mins", SUN, "typo", "Stretch", elapsed(SUN, 15))
add("Submit Report By Fri", TUE, "typo", "Submit Report", date(TUE, bare_wd(TUE, "fri")))
add("pay rent on the 1st of evry month", SUN, "typo", "Pay rent",
    date(SUN, first_date(SUN, is_mday(1))), "FREQ=MONTHLY;BYMONTHDAY=1")
add("chek the mail at 4pm", SUN, "typo", "Chek the mail", next_time(SUN, 16),
    note="a typo in the title stays as typed")
cmd("delte task 3", SUN, "typo", "delete", target={"id": 3})
cmd("compelte task 4", SUN, "typo", "complete", target={"id": 4})
cmd("shwo my tasks", SUN, "typo", "list")
cmd("TASK 3 DONE", SUN, "typo", "complete", target={"id": 3})
cmd("Mark Task 5 As Done", SUN, "typo", "complete", target={"id": 5})
cmd("DELETE IT", SUN, "typo", "delete", target={"previous": True})
cmd("Make It High Priority", SUN, "typo", "update", target={"previous": True}, priority="high")
cmd("YES", SUN, "typo", "confirm")
cmd("HELP", SUN, "typo", "help")
