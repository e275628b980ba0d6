/* store_reminders.c - the store's side of the reminder scheduler
 * (docs/decisions/0029-reminder-scheduling.md), written once over the driver like store_ops.c.
 *
 * The one idea: a reminder fires when a transaction moves its row from scheduled (0) to fired
 * (1), and that same transaction writes its event to the outbox. The claim is a conditional
 * UPDATE (state = 0), so whoever's UPDATE changed the row fired it and nobody else can; on
 * postgres the due rows are first locked with SKIP LOCKED, so replicas split a burst instead
 * of queueing on each other's rows. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

static void read_due(struct store_conn *c, struct store_res *r, struct reminder_due *d)
{
    const struct store_driver *drv = c->s->drv;
    memset(d, 0, sizeof *d);
    d->id = drv->col_int(r, 0);
    d->task_id = drv->col_int(r, 1);
    const char *user = drv->col_text(r, 2);
    size_t n = strnlen(user, sizeof d->user_id - 1);
    memcpy(d->user_id, user, n);
    d->user_id[n] = '\0';
    d->remind_at = drv->col_int(r, 3);
    d->title = xstrdup(drv->col_text(r, 4));
    d->has_due = !drv->is_null(r, 5);
    d->due_at = d->has_due ? drv->col_int(r, 5) : 0;
}

/* Reads the due rows (all of them before any UPDATE: sqlite must not change rows it is
 * still stepping through). */
static int read_due_rows(struct store_conn *c, int64_t now_ms, int limit, struct reminder_due **out,
                         int *n_out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct sqlb_value p[] = {V_INT(now_ms), V_INT(limit)};
    int rc = drv->exec(c, ST_REMINDERS_DUE, NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    struct reminder_due *rows = xcalloc((size_t)limit, sizeof *rows);
    int n = 0, step = 0;
    while (n < limit && (step = drv->next(&r)) == 1)
        read_due(c, &r, &rows[n++]);
    drv->done(&r);
    if (step < 0) {
        reminders_due_free(rows, n);
        return -step;
    }
    *out = rows;
    *n_out = n;
    return TODO_OK;
}

int store_ops_reminders_claim_due(struct store_conn *c, int64_t now_ms, int limit,
                                  struct reminder_due **out, int *n_out)
{
    assert(limit > 0 && out && n_out);
    assert(c->in_tx); /* the claim and its events commit together */
    struct reminder_due *rows = NULL;
    int n = 0;
    int rc = read_due_rows(c, now_ms, limit, &rows, &n);
    if (rc != TODO_OK)
        return rc;
    int kept = 0, i = 0;
    for (; i < n && rc == TODO_OK; i++) {
        int64_t changes = 0;
        struct sqlb_value p[] = {V_INT(now_ms), V_INT(rows[i].id)};
        rc = store_run(c, ST_REMINDER_MARK_FIRED, p, N_OF(p), &changes);
        if (rc == TODO_OK && changes == 1)
            rows[kept++] = rows[i];
        else
            reminder_due_release(&rows[i]);
    }
    if (rc != TODO_OK) {
        for (; i < n; i++) /* the rows after the failed one were never looked at */
            reminder_due_release(&rows[i]);
        reminders_due_free(rows, kept);
        return rc;
    }
    *out = rows;
    *n_out = kept;
    return TODO_OK;
}

int store_ops_reminder_claim(struct store_conn *c, int64_t id, int64_t remind_at, int64_t now_ms,
                             struct reminder_due *out, bool *claimed)
{
    assert(out && claimed);
    assert(c->in_tx);
    int64_t changes = 0;
    struct sqlb_value p[] = {V_INT(now_ms), V_INT(id), V_INT(remind_at)};
    int rc = store_run(c, ST_REMINDER_CLAIM, p, N_OF(p), &changes);
    if (rc != TODO_OK || changes == 0) {
        if (rc == TODO_OK)
            *claimed = false;
        return rc;
    }
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct sqlb_value pd[] = {V_INT(id)};
    rc = drv->exec(c, ST_REMINDER_DUE_ONE, NULL, pd, N_OF(pd), &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1)
        read_due(c, &r, out);
    drv->done(&r);
    if (step < 0)
        return -step;
    if (step == 0)
        return store_conn_error(c, TODO_ERR_INTERNAL, "claimed reminder has no task");
    *claimed = true;
    return TODO_OK;
}

int store_ops_reminders_next(struct store_conn *c, int64_t *at)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    int rc = drv->exec(c, ST_REMINDERS_NEXT, NULL, NULL, 0, &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1)
        *at = drv->is_null(&r, 0) ? INT64_MAX : drv->col_int(&r, 0);
    drv->done(&r);
    if (step < 0)
        return -step;
    if (step == 0)
        *at = INT64_MAX;
    return TODO_OK;
}

void reminders_due_free(struct reminder_due *d, int n)
{
    if (!d)
        return;
    for (int i = 0; i < n; i++)
        reminder_due_release(&d[i]);
    free(d);
}

/* --- the Dapr scheduler's queue --- */

int store_ops_sched_job_insert(struct store_conn *c, int64_t reminder_id, bool cancel,
                               int64_t remind_at, int64_t now_ms)
{
    struct sqlb_value p[] = {V_INT(reminder_id), V_OPT_INT(!cancel, remind_at), V_INT(now_ms)};
    return store_run(c, ST_SCHED_JOB_INSERT, p, N_OF(p), NULL);
}

/* Reads rows shaped (id, reminder_id, remind_at) of stmt, whose last parameter is limit. */
static int read_jobs(struct store_conn *c, int stmt, const struct sqlb_value *p, int n_p, int limit,
                     struct sched_job **out, int *n_out)
{
    assert(limit > 0 && out && n_out);
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    int rc = drv->exec(c, stmt, NULL, p, n_p, &r);
    if (rc != TODO_OK)
        return rc;
    struct sched_job *jobs = xcalloc((size_t)limit, sizeof *jobs);
    int n = 0, step = 0;
    while (n < limit && (step = drv->next(&r)) == 1) {
        struct sched_job *j = &jobs[n++];
        j->id = drv->col_int(&r, 0);
        j->reminder_id = drv->col_int(&r, 1);
        j->cancel = drv->is_null(&r, 2);
        j->remind_at = j->cancel ? 0 : drv->col_int(&r, 2);
    }
    drv->done(&r);
    if (step < 0) {
        free(jobs);
        return -step;
    }
    *out = jobs;
    *n_out = n;
    return TODO_OK;
}

int store_ops_sched_jobs_fetch(struct store_conn *c, int limit, struct sched_job **out, int *n_out)
{
    struct sqlb_value p[] = {V_INT(limit)};
    return read_jobs(c, ST_SCHED_JOBS_FETCH, p, N_OF(p), limit, out, n_out);
}

int store_ops_reminders_overdue(struct store_conn *c, int64_t before_ms, int limit,
                                struct sched_job **out, int *n_out)
{
    struct sqlb_value p[] = {V_INT(before_ms), V_INT(limit)};
    return read_jobs(c, ST_REMINDERS_OVERDUE, p, N_OF(p), limit, out, n_out);
}

int store_ops_reminder_schedule(struct store_conn *c, int64_t id, int *state, int64_t *remind_at,
                                bool *found)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct sqlb_value p[] = {V_INT(id)};
    int rc = drv->exec(c, ST_REMINDER_SCHEDULE, NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1) {
        *state = (int)drv->col_int(&r, 0);
        *remind_at = drv->col_int(&r, 1);
    }
    drv->done(&r);
    if (step < 0)
        return -step;
    *found = step == 1;
    return TODO_OK;
}

int store_ops_sched_job_delete(struct store_conn *c, int64_t id)
{
    struct sqlb_value p[] = {V_INT(id)};
    return store_run(c, ST_SCHED_JOB_DELETE, p, N_OF(p), NULL);
}
