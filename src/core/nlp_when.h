/* nlp_when.h - reads the dates, times, repeats and reminders of a message in the user's time
 * zone, by the conventions of docs/assistant-time.md. Pure and thread-safe: no allocation,
 * no state; the caller gives "now" and the zone. The intent parser (nlp.h) calls it. */
#ifndef TODO_CORE_NLP_WHEN_H
#define TODO_CORE_NLP_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLP_RRULE_MAX     256
#define NLP_MAX_REMINDERS 4

struct nlp_reminder {
    bool relative;     /* true: before_ms before due ("30 minutes before"); false: at at_ms */
    int64_t before_ms; /* when relative */
    int64_t at_ms;     /* when absolute: a UTC instant */
};

struct nlp_when {
    bool has_due;
    int64_t due_ms;            /* the due instant, UTC milliseconds */
    int due_offset_s;          /* the zone's UTC offset at due_ms, for RFC 3339 output */
    bool all_day;              /* a date without a time of day (due is then 09:00 local) */
    char rrule[NLP_RRULE_MAX]; /* canonical RRULE without "RRULE:", "" when none */
    bool from_completion;      /* the next occurrence counts from completion */
    int n_reminders;           /* "remind me 30 minutes before", "remind me at 8am" */
    struct nlp_reminder reminders[NLP_MAX_REMINDERS];
};

/* Reads every date, time, repeat and reminder phrase of text (len bytes of UTF-8, any case),
 * said at now_ms in zone tz (an IANA name; NULL or unknown: UTC), into *out, and sets
 * used[i] = 1 for each byte a phrase covers, its lead words included ("on", "at", "by",
 * "every", "remind me", "starting"), so that what is left is the title. Bytes not covered
 * are left as they were in used (the caller zeroes it). Returns the number of phrases read;
 * 0 leaves *out empty (no due, no rule). Words that only look like dates ("April", "the May
 * invoice", "2025 budget", "3rd floor") are not read. */
int nlp_when_read(const char *text, size_t len, int64_t now_ms, const char *tz,
                  struct nlp_when *out, unsigned char *used);

/* Writes due as RFC 3339 with its local offset ("2026-12-01T09:00:00-05:00"); "" when none. */
void nlp_when_due_rfc3339(const struct nlp_when *w, char out[40]);

#endif
