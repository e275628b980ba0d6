/* sched_dapr.h - a client of the Dapr Jobs API (alpha1, daprd's HTTP API): schedule a
 * one-shot job at a time with JSON data, replacing one of the same name, and delete one
 * (docs/decisions/0030-dapr-jobs-scheduler.md). Not thread-safe: one thread (the
 * scheduler's) owns a client. */
#ifndef TODO_SCHED_SCHED_DAPR_H
#define TODO_SCHED_SCHED_DAPR_H

#include <stdint.h>

#include "base/err.h"

typedef struct sched_dapr sched_dapr_t;

/* base_url: the sidecar, "http://127.0.0.1:3500" (copied). */
sched_dapr_t *sched_dapr_create(const char *base_url);
void sched_dapr_destroy(sched_dapr_t *d);

/* POST /v1.0-alpha1/jobs/<name> {"dueTime": <due_at, RFC 3339>, "data": <data_json>,
 * "overwrite": true, "failurePolicy": {"constant": {"interval": "5s", "maxRetries": 12}}}.
 * 0 on 2xx; TODO_ERR_BAD_REQUEST when the sidecar refused the request (4xx: retrying cannot
 * help); TODO_ERR_UNAVAILABLE when it could not be reached or failed (5xx): try later. err
 * says what the sidecar answered. */
int sched_dapr_schedule(sched_dapr_t *d, const char *name, int64_t due_at, const char *data_json,
                        struct todo_err *err);
/* DELETE /v1.0-alpha1/jobs/<name>; results as sched_dapr_schedule. */
int sched_dapr_delete(sched_dapr_t *d, const char *name, struct todo_err *err);

#endif
