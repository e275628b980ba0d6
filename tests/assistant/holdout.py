"""holdout.py - the held-out set: phrasings, zones and instants the development set does not
use, written from the spec (docs/assistant-time.md, docs/assistant.md) and kept away from the
parser's authors until the parser was frozen, to measure how it generalises (issue 12 §3:
"it will be judged on phrasings it has never seen"; docs/assistant-evaluation.md). oracle.py
writes holdout.jsonl from it; the same rules as cases.py."""
from oracle import (Ctx, at, bare_wd, elapsed, end_of_month, end_of_week, end_of_year,
                    first_date, first_timed, in_months, is_last_wd_of_month, is_mday, is_wd, is_ymd, month_day,
                    next_time, next_wd, next_week, next_weekend, nth, on_date, plus, this_wd,
                    this_weekend)

NY = "America/New_York"
CHI = Ctx("2027-02-08T16:00:00Z", "America/Chicago")     # Monday 8 Feb 2027 10:00 CST
TOK = Ctx("2027-04-15T01:00:00Z", "Asia/Tokyo")          # Thursday 15 Apr 10:00 JST
PAR = Ctx("2027-06-16T08:30:00Z", "Europe/Paris")        # Wednesday 16 Jun 10:30 CEST
AKL = Ctx("2027-09-25T00:00:00Z", "Pacific/Auckland")    # Saturday 25 Sep 12:00 NZST (gap tomorrow)
NY_SAT_EVE = Ctx("2027-01-10T02:00:00Z", NY)             # Saturday 9 Jan 2027 21:00 EST
NY_FRI = Ctx("2027-03-12T20:00:00Z", NY)                 # Friday 12 Mar 2027 15:00 EST (gap Sunday)
NY_NOV = Ctx("2027-11-04T14:00:00Z", NY)                 # Thursday 4 Nov 2027 10:00 EDT (fold Sunday)
NY_FOLD = Ctx("2027-11-07T05:15:00Z", NY)                # Sunday 7 Nov 2027 01:15 EDT (first)
DEN = Ctx("2027-08-31T15:00:00Z", "America/Denver")      # Tuesday 31 Aug 09:00 MDT (month end)
SAO = Ctx("2027-05-20T13:00:00Z", "America/Sao_Paulo")   # Thursday 20 May 10:00 -03:00
LON = Ctx("2027-01-04T09:00:00Z", "Europe/London")       # Monday 4 Jan 2027 09:00 GMT

CASES = []
NONE = {"due": None, "all_day": False}


def add(text, c, cat, title, when=None, rrule=None, fc=False, note=None, **extra):
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
    exp = {"intent": intent}
    exp.update(keys)
    case = {"text": text, "now": c.now_text, "tz": c.tz_name, "cat": cat, "expect": exp}
    if note:
        case["note"] = note
    CASES.append(case)


d = on_date
WEEKDAYS = is_wd("mon", "tue", "wed", "thu", "fri")

# ---- relative days, in N ------------------------------------------------------------------
add("grab coffee with Leah tmrw", CHI, "date", "Grab coffee with Leah", d(CHI, plus(CHI, 1)))
add("Tomorrow: renew the parking permit", TOK, "date", "Renew the parking permit",
    d(TOK, plus(TOK, 1)))
add("the day after tomorrow I have to return the drill", CHI, "date", "Return the drill",
    d(CHI, plus(CHI, 2)))
add("Need to email the accountant today", PAR, "date", "Email the accountant", d(PAR, PAR.today))
add("In 3 days: send the photos", SAO, "in", "Send the photos", d(SAO, plus(SAO, 3)))
add("ping Marco in 90 minutes", CHI, "in", "Ping Marco", elapsed(CHI, 90))
add("in 4 hours take the roast out", TOK, "in", "Take the roast out", elapsed(TOK, 240))
add("call the garage in two hours", PAR, "in", "Call the garage", elapsed(PAR, 120),
    note="a number in words")
add("book the flights in two weeks", SAO, "in", "Book the flights", d(SAO, plus(SAO, 14)))
add("follow up with the landlord in 2 months", DEN, "in", "Follow up with the landlord",
    d(DEN, in_months(DEN, 2)), note="Aug 31 + 2 months = Oct 31")
add("check the sourdough in 6 days", NY_SAT_EVE, "in", "Check the sourdough",
    d(NY_SAT_EVE, plus(NY_SAT_EVE, 6)))
add("in 3 hours check the chimney", NY_FOLD, "dst", "Check the chimney", elapsed(NY_FOLD, 180),
    note="01:15 EDT + 3 elapsed hours = 03:15 EST")

# ---- weekdays ------------------------------------------------------------------------------
add("Wednesday: dentist", CHI, "weekday", "Dentist", d(CHI, bare_wd(CHI, "wed")))
add("submit the expense report by next Friday", CHI, "weekday", "Submit the expense report",
    d(CHI, next_wd(CHI, "fri")))
add("this Saturday clean out the shed", CHI, "weekday", "Clean out the shed",
    d(CHI, this_wd(CHI, "sat")))
add("prep slides for Monday", CHI, "weekday", "Prep slides", d(CHI, bare_wd(CHI, "mon")),
    note="'for Monday' said on a Monday: the next Monday; no dangling 'for'")
add("next thursday team offsite", TOK, "weekday", "Team offsite", d(TOK, next_wd(TOK, "thu")))
add("this thursday pay the gas bill", TOK, "weekday", "Pay the gas bill", d(TOK, this_wd(TOK, "thu")))
add("on sunday call grandpa", TOK, "weekday", "Call grandpa", d(TOK, bare_wd(TOK, "sun")))
add("pick up the dry cleaning on Wed", PAR, "weekday", "Pick up the dry cleaning",
    d(PAR, bare_wd(PAR, "wed")))
add("next Tues: haircut", PAR, "weekday", "Haircut", d(PAR, next_wd(PAR, "tue")))
add("this weekend wash the car", SAO, "week", "Wash the car", d(SAO, this_weekend(SAO)))
add("next weekend go camping", SAO, "week", "Go camping", d(SAO, next_weekend(SAO)))
add("this weekend paint the fence", NY_SAT_EVE, "week", "Paint the fence",
    d(NY_SAT_EVE, this_weekend(NY_SAT_EVE)), note="said on Saturday 21:00: today, 09:00 all day")
add("next weekend paint the fence", NY_SAT_EVE, "week", "Paint the fence",
    d(NY_SAT_EVE, next_weekend(NY_SAT_EVE)))
add("next week: call the vet", NY_SAT_EVE, "week", "Call the vet", d(NY_SAT_EVE, next_week(NY_SAT_EVE)))
add("tidy the garage by the end of the week", NY_SAT_EVE, "end", "Tidy the garage",
    d(NY_SAT_EVE, end_of_week(NY_SAT_EVE)))
add("end of month: close the books", DEN, "end", "Close the books", d(DEN, end_of_month(DEN)),
    note="on the last day: today")
add("submit the receipts by the end of the month", DEN, "end", "Submit the receipts",
    d(DEN, end_of_month(DEN)))
add("finish the audit by end of year", DEN, "end", "Finish the audit", d(DEN, end_of_year(DEN)))
add("end of week status report", DEN, "end", "Status report", d(DEN, end_of_week(DEN)))

# ---- times -----------------------------------------------------------------------------------
add("call the bank at 4:30", CHI, "time", "Call the bank", next_time(CHI, 16, 30))
add("at 11 meet Lee", CHI, "time", "Meet Lee", next_time(CHI, 11))
add("take the pills at 10", CHI, "time", "Take the pills", next_time(CHI, 10),
    note="said at 10:00 exactly: tomorrow")
add("dinner reservation at 7:30pm", CHI, "time", "Dinner reservation", next_time(CHI, 19, 30))
add("check in for the flight at 23:15", CHI, "time", "Check in for the flight",
    next_time(CHI, 23, 15))
add("alarm at 6 am", CHI, "time", "Alarm", next_time(CHI, 6))
add("pay the babysitter at midnight", TOK, "time", "Pay the babysitter", at(TOK, plus(TOK, 1), 0))
add("feed the cat at noon", TOK, "time", "Feed the cat", next_time(TOK, 12))
add("call Ken tonight", TOK, "daytime", "Call Ken", at(TOK, TOK.today, 20))
add("tonight at 8 movie", TOK, "daytime", "Movie", at(TOK, TOK.today, 20))
add("yoga this evening", PAR, "daytime", "Yoga", at(PAR, PAR.today, 20))
add("this afternoon: water the plants", PAR, "daytime", "Water the plants", at(PAR, PAR.today, 15))
add("eod send the contract", PAR, "time", "Send the contract", next_time(PAR, 17))
add("stand-up at 9", DEN, "time", "Stand-up", next_time(DEN, 9), note="said at 09:00: tomorrow")
add("school pickup at 3", SAO, "time", "School pickup", next_time(SAO, 15))
add("lock the shop at 5", SAO, "time", "Lock the shop", next_time(SAO, 17))

# ---- a day and a time ---------------------------------------------------------------------
add("Friday 3pm dentist", CHI, "daytime", "Dentist", at(CHI, bare_wd(CHI, "fri"), 15))
add("tomorrow 8am gym", CHI, "daytime", "Gym", at(CHI, plus(CHI, 1), 8))
add("dentist fri 3pm", CHI, "daytime", "Dentist", at(CHI, bare_wd(CHI, "fri"), 15))
add("gym 7am tmrw", CHI, "daytime", "Gym", at(CHI, plus(CHI, 1), 7))
add("on the 20th at 10am renew the lease", CHI, "daytime", "Renew the lease", at(CHI, nth(CHI, 20), 10))
add("call the notary on March 3 at 2pm", CHI, "daytime", "Call the notary",
    at(CHI, month_day(CHI, 3, 3), 14))
add("tax appointment April 20 at 9am", CHI, "daytime", "Tax appointment",
    at(CHI, month_day(CHI, 4, 20), 9), note="CDT -05:00 by then")
add("tomorrow night take out the recycling", CHI, "daytime", "Take out the recycling",
    at(CHI, plus(CHI, 1), 20))
add("next monday morning submit the form", CHI, "daytime", "Submit the form",
    at(CHI, next_wd(CHI, "mon"), 9))
add("Saturday afternoon soccer practice", CHI, "daytime", "Soccer practice",
    at(CHI, bare_wd(CHI, "sat"), 15))
add("lunch with Omar on Thursday at 1", CHI, "daytime", "Lunch with Omar",
    at(CHI, bare_wd(CHI, "thu"), 13))

# ---- month days, numeric dates --------------------------------------------------------------
add("dentist appointment on 3 March", LON, "monthday", "Dentist appointment",
    d(LON, month_day(LON, 3, 3)))
add("send the invoice on Feb 1st", LON, "monthday", "Send the invoice", d(LON, month_day(LON, 2, 1)))
add("renew the passport on January 2", LON, "monthday", "Renew the passport",
    d(LON, month_day(LON, 1, 2)), note="Jan 2 is past on Jan 4: next year")
add("water meter reading on the 4th", LON, "monthday", "Water meter reading", d(LON, nth(LON, 4)),
    note="the 4th said on the 4th: today")
add("pay the credit card on the 3rd", LON, "monthday", "Pay the credit card", d(LON, nth(LON, 3)))
add("file the 1099s by 2/15", NY_FRI, "numeric", "File the 1099s", d(NY_FRI, month_day(NY_FRI, 2, 15)),
    note="2/15 in New York = February 15, past in March: next year")
add("concert 4/3", NY_FRI, "numeric", "Concert", d(NY_FRI, month_day(NY_FRI, 4, 3)),
    note="April 3 in New York, EDT by then")
add("hairdresser 4/3", PAR, "numeric", "Hairdresser", d(PAR, month_day(PAR, 3, 4)),
    note="4 March in Paris, past in June: next year, CET")
add("check the visa 1/7", TOK, "numeric", "Check the visa", d(TOK, month_day(TOK, 7, 1)))
add("party 31.12.", PAR, "numeric", "Party", d(PAR, month_day(PAR, 12, 31)))
add("Mum's birthday on 21 March", LON, "monthday", "Mum's birthday", d(LON, month_day(LON, 3, 21)))

# ---- DST ------------------------------------------------------------------------------------
add("tomorrow at 2:30am feed the lambs", AKL, "dst", "Feed the lambs", at(AKL, plus(AKL, 1), 2, 30),
    note="Auckland springs forward 2027-09-26 02:00: 03:30+13:00")
add("tomorrow at 9am shear the sheep", AKL, "dst", "Shear the sheep", at(AKL, plus(AKL, 1), 9))
add("sunday at 2:15am check the boiler", NY_FRI, "dst", "Check the boiler",
    at(NY_FRI, bare_wd(NY_FRI, "sun"), 2, 15), note="2027-03-14 gap: 03:15-04:00")
add("sunday at 10am brunch", NY_FRI, "dst", "Brunch", at(NY_FRI, bare_wd(NY_FRI, "sun"), 10))
add("sunday at 1:45am check the server", NY_NOV, "dst", "Check the server",
    at(NY_NOV, bare_wd(NY_NOV, "sun"), 1, 45), note="2027-11-07 fold: the first (EDT)")
add("clean the fridge sunday", NY_NOV, "dst", "Clean the fridge", d(NY_NOV, bare_wd(NY_NOV, "sun")),
    note="-05:00 at the due instant")

# ---- recurrence ------------------------------------------------------------------------------
add("every tuesday and friday water the ferns", CHI, "recur", "Water the ferns",
    d(CHI, first_date(CHI, is_wd("tue", "fri"))), "FREQ=WEEKLY;BYDAY=TU,FR")
add("choir every wednesday at 6pm", CHI, "recur", "Choir", first_timed(CHI, is_wd("wed"), 18),
    "FREQ=WEEKLY;BYDAY=WE")
add("run every other day", CHI, "recur", "Run", d(CHI, CHI.today), "FREQ=DAILY;INTERVAL=2")
add("pay the mortgage every month on the 28th", CHI, "recur", "Pay the mortgage",
    d(CHI, first_date(CHI, is_mday(28))), "FREQ=MONTHLY;BYMONTHDAY=28")
add("check the inbox every weekday at 8:30", CHI, "recur", "Check the inbox",
    first_timed(CHI, WEEKDAYS, 8, 30), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
add("meditate daily at 7am", CHI, "recur", "Meditate", first_timed(CHI, lambda x: True, 7),
    "FREQ=DAILY")
add("fireworks every year on July 4", CHI, "recur", "Fireworks",
    d(CHI, first_date(CHI, is_ymd(7, 4))), "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4")
add("dentist checkup every 6 months", TOK, "recur", "Dentist checkup", d(TOK, TOK.today),
    "FREQ=MONTHLY;INTERVAL=6")
add("change the water filter every 10 days", TOK, "recur", "Change the water filter",
    d(TOK, TOK.today), "FREQ=DAILY;INTERVAL=10")
add("payroll biweekly on fridays", TOK, "recur", "Payroll",
    d(TOK, first_date(TOK, is_wd("fri"))), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")
add("long run every saturday and sunday at 9", CHI, "recur", "Long run",
    first_timed(CHI, is_wd("sat", "sun"), 9), "FREQ=WEEKLY;BYDAY=SA,SU")
add("weigh in every week for 4 weeks", PAR, "recur", "Weigh in", d(PAR, PAR.today),
    "FREQ=WEEKLY;COUNT=4")
add("stretch every day 30 times", PAR, "recur", "Stretch", d(PAR, PAR.today), "FREQ=DAILY;COUNT=30")
add("remind me to back up the laptop every sunday", CHI, "recur", "Back up the laptop",
    d(CHI, first_date(CHI, is_wd("sun"))), "FREQ=WEEKLY;BYDAY=SU")
add("every weekend at 10am farmers market", SAO, "recur", "Farmers market",
    first_timed(SAO, is_wd("sat", "sun"), 10), "FREQ=WEEKLY;BYDAY=SA,SU")
add("team lunch on the last friday of every month", SAO, "recur", "Team lunch",
    d(SAO, first_date(SAO, is_last_wd_of_month("fri"))), "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1")
add("clean the gutters every 3 months after I finish it", DEN, "completion", "Clean the gutters",
    d(DEN, DEN.today), "FREQ=MONTHLY;INTERVAL=3", True)
add("sharpen the knives every 2 months from when I complete it", LON, "completion",
    "Sharpen the knives", d(LON, LON.today), "FREQ=MONTHLY;INTERVAL=2", True)
add("descale the kettle every 4 weeks after done", SAO, "completion", "Descale the kettle",
    d(SAO, SAO.today), "FREQ=WEEKLY;INTERVAL=4", True)
add("pay rent evrey month on the 1st", LON, "typo", "Pay rent",
    d(LON, first_date(LON, is_mday(1))), "FREQ=MONTHLY;BYMONTHDAY=1")

# ---- reminders ------------------------------------------------------------------------------
add("dentist on friday at 2pm, remind me an hour before", CHI, "reminder", "Dentist",
    at(CHI, bare_wd(CHI, "fri"), 14), reminders=[{"before": "PT1H"}])
add("standup tomorrow at 9, remind me 10 minutes before", TOK, "reminder", "Standup",
    at(TOK, plus(TOK, 1), 9), reminders=[{"before": "PT10M"}])
add("call Sam at 5pm and remind me 45 minutes before", PAR, "reminder", "Call Sam",
    next_time(PAR, 17), reminders=[{"before": "PT45M"}])
add("flight monday at 6am remind me 3 hours before", SAO, "reminder", "Flight",
    at(SAO, bare_wd(SAO, "mon"), 6), reminders=[{"before": "PT3H"}])

# ---- titles and styles ----------------------------------------------------------------------
add("Please add a task: renew the car registration", CHI, "title", "Renew the car registration")
add("remember to thaw the chicken tonight", CHI, "style", "Thaw the chicken", at(CHI, CHI.today, 20))
add("I must call the insurance company tomorrow", TOK, "style", "Call the insurance company",
    d(TOK, plus(TOK, 1)))
add("New task - call the plumber", PAR, "title", "Call the plumber")
add("Add: buy batteries", PAR, "title", "Buy batteries")
add("could you remind me to water the garden at 7?", PAR, "style", "Water the garden",
    next_time(PAR, 19))
add("hey can you remind me to call Jess tomorrow at 10", SAO, "style", "Call Jess",
    at(SAO, plus(SAO, 1), 10))
add("Remind me on Thursday to submit the timesheet", SAO, "style", "Submit the timesheet",
    d(SAO, bare_wd(SAO, "thu")))
add("Tomorrow remind me to buy bread", SAO, "style", "Buy bread", d(SAO, plus(SAO, 1)))
add("collect the prescription from Boots tomorrow", LON, "style",
    "Collect the prescription from Boots", d(LON, plus(LON, 1)))
add("I should really book a dentist appointment next week", LON, "style",
    "Book a dentist appointment", d(LON, next_week(LON)))
add("Need to sort out the car insurance by friday", LON, "style", "Sort out the car insurance",
    d(LON, bare_wd(LON, "fri")))

# ---- not dates ------------------------------------------------------------------------------
add("buy 3 lemons", CHI, "nondate", "Buy 3 lemons")
add("call May about the wedding", CHI, "nondate", "Call May about the wedding")
add("order the March issue", CHI, "nondate", "Order the March issue")
add("write chapter 5 of the thesis", TOK, "nondate", "Write chapter 5 of the thesis")
add("fix bug 1234", TOK, "nondate", "Fix bug 1234")
add("plan the 2027 offsite", PAR, "nondate", "Plan the 2027 offsite")
add("pay 12 dollars to Jo", PAR, "nondate", "Pay 12 dollars to Jo")
add("send 5 invoices", SAO, "nondate", "Send 5 invoices")
add("meet on the 4th floor", SAO, "nondate", "Meet on the 4th floor")

# ---- quick-add, priorities ------------------------------------------------------------------
add("Renew gym membership #health !low", CHI, "quickadd", "Renew gym membership", tags=["health"],
    priority="low")
add("p1 call the insurer tomorrow", CHI, "quickadd", "Call the insurer", d(CHI, plus(CHI, 1)),
    priority="high")
add("book hotel #travel #work", TOK, "quickadd", "Book hotel", tags=["travel", "work"])
add("!high finish the deck by thursday", TOK, "quickadd", "Finish the deck",
    d(TOK, bare_wd(TOK, "thu")), priority="high")
add("Pay water bill #bills p2 on the 20th", PAR, "quickadd", "Pay water bill", d(PAR, nth(PAR, 20)),
    tags=["bills"], priority="medium")
add("high priority - call the school", PAR, "priority", "Call the school", priority="high")
add("add call mom as low priority", SAO, "priority", "Call mom", priority="low")

# ---- complete / reopen / delete / update ----------------------------------------------------
cmd("I've done task 6", CHI, "complete", "complete", target={"id": 6})
cmd("task 14 complete", CHI, "complete", "complete", target={"id": 14})
cmd("check off task 2 please", CHI, "complete", "complete", target={"id": 2})
cmd("finished the laundry", CHI, "complete", "complete", target={"words": "laundry"})
cmd("that's done", CHI, "complete", "complete", target={"previous": True})
cmd("task 8 isn't done", TOK, "reopen", "reopen", target={"id": 8})
cmd("unmark task 3", TOK, "reopen", "reopen", target={"id": 3})
cmd("reopen the laundry task", TOK, "reopen", "reopen", target={"words": "laundry"})
cmd("trash task 9", PAR, "delete", "delete", target={"id": 9})
cmd("please get rid of task 12", PAR, "delete", "delete", target={"id": 12})
cmd("delete that", PAR, "delete", "delete", target={"previous": True})
cmd("remove everything", PAR, "delete", "delete", target={"all": True})
cmd("change task 3's title to Buy oat milk", CHI, "update", "update", target={"id": 3},
    title="Buy oat milk")
cmd("set task 7 due tomorrow at noon", CHI, "update", "update", target={"id": 7},
    **at(CHI, plus(CHI, 1), 12))
cmd("move the dentist task to next friday", CHI, "update", "update", target={"words": "dentist"},
    **d(CHI, next_wd(CHI, "fri")))
cmd("make task 2 low priority", CHI, "update", "update", target={"id": 2}, priority="low")
cmd("bump it to high priority", CHI, "update", "update", target={"previous": True},
    priority="high")
cmd("add tag urgent to task 5", TOK, "update", "update", target={"id": 5}, tags=["urgent"])
cmd("remove tag work from task 5", TOK, "update", "update", target={"id": 5}, remove_tags=["work"])
cmd("remove the due date from task 9", TOK, "update", "update", target={"id": 9}, clear=["due"])
cmd("task 4 should repeat every friday", TOK, "update", "update", target={"id": 4},
    rrule="FREQ=WEEKLY;BYDAY=FR")
cmd("stop task 4 from repeating", TOK, "update", "update", target={"id": 4}, clear=["recurrence"])
cmd("rename task 10 to 'Call the council'", LON, "update", "update", target={"id": 10},
    title="Call the council")
cmd("change the description of task 6 to Ask about the refund", LON, "update", "update",
    target={"id": 6}, description="Ask about the refund")
cmd("remind me 20 minutes before task 3", LON, "update", "update", target={"id": 3},
    reminders=[{"before": "PT20M"}])

# ---- list, help, confirm, cancel, unknown ---------------------------------------------------
cmd("what's on my list?", CHI, "list", "list")
cmd("show everything that's overdue", CHI, "list", "list", filter={"due": "overdue"})
cmd("list tasks due tomorrow", CHI, "list", "list", filter={"due": "tomorrow"})
cmd("any high priority stuff?", CHI, "list", "list", filter={"priority": ["high"]})
cmd("what have I completed?", TOK, "list", "list", filter={"status": "completed"})
cmd("show tasks with the tag bills", TOK, "list", "list", filter={"tags": ["bills"]})
cmd("what do I need to do this week?", PAR, "list", "list", filter={"due": "week"})
cmd("show my open tasks", PAR, "list", "list", filter={"status": "pending"})
cmd("search for insurance", SAO, "list", "list", filter={"q": "insurance"})
cmd("how do I use this?", CHI, "help", "help")
cmd("yeah", CHI, "confirm", "confirm")
cmd("ok, do it", CHI, "confirm", "confirm")
cmd("go ahead", CHI, "confirm", "confirm")
cmd("no thanks", CHI, "cancel", "cancel")
cmd("forget it", CHI, "cancel", "cancel")
cmd("nah", CHI, "cancel", "cancel")
cmd("who won the game last night?", CHI, "unknown", "unknown", due=None)
cmd("what time is it?", CHI, "unknown", "unknown", due=None)
cmd("how are you?", CHI, "unknown", "unknown", due=None)

# ---- typos, case ----------------------------------------------------------------------------
add("remind me to call mum tommorow", LON, "typo", "Call mum", d(LON, plus(LON, 1)))
add("dentist on thurday", LON, "typo", "Dentist", d(LON, bare_wd(LON, "thu")))
add("book club wendsday", LON, "typo", "Book club", d(LON, bare_wd(LON, "wed")))
add("clean the car satuday", LON, "typo", "Clean the car", d(LON, bare_wd(LON, "sat")))
add("CALL THE BANK AT 3PM", CHI, "typo", "CALL THE BANK", next_time(CHI, 15))
add("ReMiNd Me To BuY mIlK", CHI, "typo", "BuY mIlK")
add("Every Friday At 5PM Weekly Review", CHI, "typo", "Weekly Review",
    first_timed(CHI, is_wd("fri"), 17), "FREQ=WEEKLY;BYDAY=FR")
cmd("complte task 5", CHI, "typo", "complete", target={"id": 5})
cmd("delet task 2", CHI, "typo", "delete", target={"id": 2})
cmd("lsit my tasks", CHI, "typo", "list")

# ---- more zones and phrasings ---------------------------------------------------------------
KOL = Ctx("2027-10-21T12:30:00Z", "Asia/Kolkata")        # Thursday 21 Oct 18:00 IST
SYD = Ctx("2027-10-02T01:00:00Z", "Australia/Sydney")    # Saturday 2 Oct 11:00 AEST (gap tomorrow)
LAX = Ctx("2027-07-05T16:00:00Z", "America/Los_Angeles")  # Monday 5 Jul 09:00 PDT
BER = Ctx("2027-10-30T10:00:00Z", "Europe/Berlin")       # Saturday 30 Oct 12:00 CEST (fold tomorrow)

add("tomorrow at 2:30am move the sprinkler", SYD, "dst", "Move the sprinkler",
    at(SYD, plus(SYD, 1), 2, 30), note="Sydney springs forward 2027-10-03 02:00: 03:30+11:00")
add("sunday at 9am call Nan", SYD, "dst", "Call Nan", at(SYD, bare_wd(SYD, "sun"), 9))
add("tomorrow at 2:30am reboot the router", BER, "dst", "Reboot the router",
    at(BER, plus(BER, 1), 2, 30), note="Berlin falls back 2027-10-31 03:00: the first 02:30 (+02:00)")
add("in 2 weeks renew the library card", BER, "dst", "Renew the library card", d(BER, plus(BER, 14)),
    note="+01:00 by then")
add("at 7 call home", KOL, "time", "Call home", next_time(KOL, 19), note="19:00 still ahead at 18:00")
add("at 5 pay the maid", KOL, "time", "Pay the maid", next_time(KOL, 17),
    note="17:00 past at 18:00: tomorrow")
add("Diwali shopping on Nov 6", KOL, "monthday", "Diwali shopping", d(KOL, month_day(KOL, 11, 6)))
add("submit the form 30/10", KOL, "numeric", "Submit the form", d(KOL, month_day(KOL, 10, 30)))
add("call the electrician tonight", KOL, "daytime", "Call the electrician", at(KOL, KOL.today, 20))
add("next friday evening drinks with the team", KOL, "daytime", "Drinks with the team",
    at(KOL, next_wd(KOL, "fri"), 20))
add("BBQ on the 4th", LAX, "monthday", "BBQ", d(LAX, nth(LAX, 4)), note="the 4th is past on the 5th: next month")
add("pool cleaning every thursday at 8am", LAX, "recur", "Pool cleaning",
    first_timed(LAX, is_wd("thu"), 8), "FREQ=WEEKLY;BYDAY=TH")
add("water the lawn every 2 days after I finish it", LAX, "completion", "Water the lawn",
    d(LAX, LAX.today), "FREQ=DAILY;INTERVAL=2", True)
add("call the DMV at 10:30", LAX, "time", "Call the DMV", next_time(LAX, 10, 30))
add("Pick up Zoe from practice at 6:15", LAX, "time", "Pick up Zoe from practice",
    next_time(LAX, 18, 15))
add("dentist on Monday the 12th", LAX, "weekday", "Dentist", d(LAX, nth(LAX, 12)),
    note="Monday 12 July: weekday and date agree")
cmd("mark the groceries as done", LAX, "complete", "complete", target={"words": "groceries"})
cmd("delete the vet task", LAX, "delete", "delete", target={"words": "vet"})
cmd("change the dentist task to high priority", LAX, "update", "update",
    target={"words": "dentist"}, priority="high")
cmd("push the report to monday", LAX, "update", "update", target={"words": "report"},
    **d(LAX, bare_wd(LAX, "mon")))
cmd("what's due this week?", LAX, "list", "list", filter={"due": "week"})
cmd("show me completed tasks", LAX, "list", "list", filter={"status": "completed"})
cmd("list everything tagged home", BER, "list", "list", filter={"tags": ["home"]})
cmd("what's overdue?", BER, "list", "list", filter={"due": "overdue"})
cmd("yes please do", BER, "confirm", "confirm")
cmd("no, don't", BER, "cancel", "cancel")
cmd("what can I ask you?", BER, "help", "help")
add("remind me to call the Berlin office at 9", SYD, "style", "Call the Berlin office",
    at(SYD, plus(SYD, 1), 9), note="09:00 past at 11:00: tomorrow")
add("book the 3rd session", SYD, "nondate", "Book the 3rd session")
AKL_FOLD = Ctx("2027-04-03T00:00:00Z", "Pacific/Auckland")  # Saturday 3 Apr 13:00 NZDT (fold tomorrow)
add("tomorrow at 2:30am check the generator", AKL_FOLD, "dst", "Check the generator",
    at(AKL_FOLD, plus(AKL_FOLD, 1), 2, 30),
    note="Auckland falls back 2027-04-04 03:00: the first 02:30 (+13:00)")
