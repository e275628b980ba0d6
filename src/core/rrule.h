/* rrule.h - recurrence rules: RFC 5545 RRULE validation with libical, and the presets
 * ("daily", "weekdays", "weekly", "monthly", "yearly"). Thread-safe. */
#ifndef TODO_CORE_RRULE_H
#define TODO_CORE_RRULE_H

#include <stddef.h>

#include "base/err.h"

/* Validates a rule or preset and writes its canonical RRULE (no "RRULE:" prefix) into out.
 * Refuses sub-hourly frequencies (SECONDLY, MINUTELY) and COUNT over 1000. Returns 0, or
 * TODO_ERR_VALIDATION with a detail on field "recurrence.rule". */
int rrule_normalize(const char *in, char *out, size_t outsz, struct todo_err *err);

#endif
