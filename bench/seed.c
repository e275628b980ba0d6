/* seed.c - fills a migrated database for the benchmarks straight through the store (no HTTP):
 * one bench user with N tasks and, optionally, more users with M tasks each. The one idea:
 * every task is built exactly as POST /api/{user_id}/tasks builds it - a JSON body validated
 * by task_apply_json, created_at/updated_at/version/series_start as app_task_create sets them
 * - and written by store_task_insert (its tags, reminders, series and full-text rows), only
 * many per transaction. So the data is what the app writes, minus the events: seeded tasks
 * stand for tasks whose events were delivered and pruned long ago (no outbox, queue or
 * processed rows, and no history entry; docs/decisions/0026-bench-seeding-and-guard.md).
 *
 * The generator is bench/seed.mjs's (same vocabulary, same PRNG, same shares: 0-3 tags of 12,
 * 70 % with a due date between 30 days ago and 90 days ahead, 40 % with a description, 5 %
 * recurring, 20 % of the rest completed), so "groc" matches about 17 % of the tasks. The
 * users' tasks are interleaved in time (ids and created_at), as real traffic would leave
 * them, over the 365 days before the run.
 *
 * Usage: bench_seed URL [--tasks N] [--users N] [--user-tasks M] [--batch B] [--ids FILE]
 *   URL: "sqlite:PATH" or "postgres://..." of a database `todo migrate` prepared.
 *   --ids FILE: writes up to 1,000 ids of the bench user's non-recurring tasks, spread over
 *   all of them, one a line (bench/get.lua and bench/complete.lua read it).
 * Prints one JSON line: user_id, email, password, first_id, check_task (the first listed id,
 * as GET must return it), check_body (the POST body it was built from: POSTed, it must give
 * the same task but for id and times), tasks, users, user_tasks, seconds. Exit status 1 on
 * any error. */
#include <assert.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/uuid.h"
#include "base/xalloc.h"
#include "core/task.h"
#include "core/user.h"
#include "store/store.h"

#define BENCH_EMAIL    "bench@example.com"
#define BENCH_PASSWORD "bench-password-1"
#define MAX_IDS        1000
#define DAY_MS         86400000LL
#define SPAN_MS        (365 * DAY_MS)

struct seed_opts {
    const char *url;
    long n_tasks;      /* the bench user's */
    long n_users;      /* other users */
    long n_user_tasks; /* each other user's */
    long batch;        /* tasks per transaction */
    const char *ids_path;
};

static const char *const VERBS[] = {"buy",   "call",  "pay",    "fix",   "clean",
                                    "email", "book",  "review", "plan",  "send",
                                    "order", "renew", "write",  "check", "pick up"};
/* "groceries" twice: the most common errand, so the search prefix "groc" matches about 17 % of
 * the tasks (title or description), as the reads targets of docs/benchmarks.md assume. */
static const char *const THINGS[] = {
    "groceries",       "groceries",        "rent",          "dentist",          "car insurance",
    "report",          "birthday present", "train tickets", "electricity bill", "bike",
    "quarterly taxes", "flowers",          "passport",      "team offsite",     "printer ink",
    "library books",   "gym membership",   "mom",           "plumber"};
static const char *const TAGS[] = {"home",   "work",     "bills",   "errands", "health", "family",
                                   "travel", "shopping", "finance", "car",     "urgent", "someday"};
static const char *const PRIORITIES[] = {"none", "low", "medium", "high"};
static const char *const RULES[] = {"daily", "weekly", "monthly"};
static const char *const BEFORE[] = {"PT15M", "PT1H", "P1D"};
#define PICK(r, a) ((a)[(size_t)floor(rng_next(r) * (double)(sizeof(a) / sizeof((a)[0])))])

/* mulberry32, as bench/seed.mjs: the same index gives the same task. */
struct rng {
    uint32_t state;
};

static double rng_next(struct rng *r)
{
    r->state += 0x6d2b79f5u;
    uint32_t t = r->state;
    t = (t ^ (t >> 15)) * (1u | t);
    t = (t + ((t ^ (t >> 7)) * (61u | t))) ^ t;
    return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The POST body of task i (bench/seed.mjs's makeTask); *recurring tells whether it has a
 * rule. New reference. */
static json_t *task_body(long i, int64_t now, bool *recurring)
{
    struct rng r = {(uint32_t)(i + 1)};
    char title[128];
    const char *verb = PICK(&r, VERBS);
    snprintf(title, sizeof title, "%s %s #%ld", verb, PICK(&r, THINGS), i);
    json_t *body = json_object();
    json_object_set_new(body, "title", json_string(title)); /* _new: steals the string */
    json_object_set_new(body, "priority", json_string(PICK(&r, PRIORITIES)));
    json_t *tags = json_array();
    int n_tags = (int)floor(rng_next(&r) * 4);
    for (int k = 0; k < n_tags; k++)
        json_array_append_new(tags, json_string(PICK(&r, TAGS))); /* duplicates: core dedups */
    json_object_set_new(body, "tags", tags);
    if (rng_next(&r) < 0.4) {
        char desc[160];
        const char *a = PICK(&r, THINGS);
        snprintf(desc, sizeof desc, "Notes for task %ld: %s and %s.", i, a, PICK(&r, THINGS));
        json_object_set_new(body, "description", json_string(desc));
    }
    if (rng_next(&r) < 0.7) {
        /* due between 30 days ago and 90 days ahead, on a quarter hour */
        const int64_t q = 15 * 60000;
        int64_t at = now + (int64_t)floor((rng_next(&r) * 120 - 30) * 96) * q;
        at -= at % q;
        char due[32];
        time_t secs = (time_t)(at / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(due, sizeof due, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_set_new(body, "due_at", json_string(due));
        if (at > now + DAY_MS && rng_next(&r) < 0.3) {
            json_t *rem = json_pack("[{s:s}]", "before", PICK(&r, BEFORE));
            json_object_set_new(body, "reminders", rem);
        }
    }
    *recurring = rng_next(&r) < 0.05;
    if (*recurring)
        json_object_set_new(body, "recurrence",
                            json_pack("{s:s,s:s}", "rule", PICK(&r, RULES), "from", "completion"));
    else if (rng_next(&r) < 0.2)
        json_object_set_new(body, "completed", json_true());
    return body;
}

/* Builds task i of user_id as app_task_create would at created_at and inserts it. */
static int seed_task(store_t *s, const char *user_id, long i, int64_t now, int64_t created_at,
                     struct task *t, bool *recurring, char **body_text)
{
    assert(s && user_id && t);
    json_t *body = task_body(i, now, recurring);
    if (body_text) /* the caller keeps the POST body of task i */
        *body_text = json_dumps(body, JSON_COMPACT);
    struct todo_err err;
    todo_err_clear(&err);
    task_init(t);
    snprintf(t->user_id, sizeof t->user_id, "%s", user_id);
    int rc = task_apply_json(t, body, TASK_APPLY_CREATE, created_at, &err);
    json_decref(body);
    if (rc) {
        fprintf(stderr, "bench_seed: task %ld refused: %s\n", i, err.message);
        return rc;
    }
    t->created_at = created_at;
    t->updated_at = created_at;
    t->version = 1;
    if (t->rrule) /* app_task_create's anchor_series for a new task */
        t->series_start = t->has_due ? t->due_at : created_at;
    rc = store_task_insert(s, t);
    if (rc)
        fprintf(stderr, "bench_seed: insert: %s\n", store_last_error(s));
    return rc;
}

/* Inserts a user with the given email and password hash; writes its id. */
static int seed_user(store_t *s, const char *email, const char *hash, int64_t now,
                     char id[USER_ID_MAX])
{
    struct user u;
    user_init(&u);
    uuid_v7(u.id);
    u.email = xstrdup(email);
    u.password_hash = xstrdup(hash);
    free(u.name);
    u.name = xstrdup("Bench");
    u.created_at = now - SPAN_MS - DAY_MS;
    int rc = store_user_insert(s, &u);
    if (rc)
        fprintf(stderr, "bench_seed: user %s: %s\n", email, store_last_error(s));
    else
        snprintf(id, USER_ID_MAX, "%s", u.id);
    user_release(&u);
    return rc;
}

struct seed_state {
    char bench_id[USER_ID_MAX];
    char (*user_ids)[USER_ID_MAX]; /* n_users others */
    int64_t first_id;
    int64_t ids[MAX_IDS];
    int n_ids;
    char *check_json; /* the first listed task as GET returns it; owned */
    char *check_body; /* the POST body it was built from; owned */
};

/* Whether position j of the interleaved timeline holds the bench user's next task (else
 * another user's). */
static bool timeline_is_bench(const struct seed_opts *o, long j, long total)
{
    /* Bresenham: the bench user's tasks spread evenly among everyone's */
    return (j + 1) * o->n_tasks / total > j * o->n_tasks / total;
}

static int seed_one(store_t *s, const struct seed_opts *o, struct seed_state *st, long j,
                    long total, long *next_bench, long *next_other, int64_t now)
{
    int64_t created_at = now - SPAN_MS + (int64_t)((double)j * (double)SPAN_MS / (double)total);
    struct task t;
    bool recurring;
    int rc;
    if (timeline_is_bench(o, j, total)) {
        long i = (*next_bench)++;
        char *body = NULL;
        rc = seed_task(s, st->bench_id, i, now, created_at, &t, &recurring,
                       st->check_body ? NULL : &body);
        if (rc) {
            free(body);
            task_release(&t);
            return rc;
        }
        long stride = o->n_tasks > MAX_IDS ? o->n_tasks / MAX_IDS : 1;
        if (i == 0)
            st->first_id = t.id;
        if (!recurring && i % stride == 0 && st->n_ids < MAX_IDS) {
            if (st->n_ids == 0) {
                struct buf b;
                buf_init(&b);
                task_json_write(&b, &t);
                st->check_json = xstrdup(b.data);
                buf_release(&b);
                st->check_body = body;
                body = NULL;
            }
            st->ids[st->n_ids++] = t.id;
        }
        free(body);
    } else {
        long k = (*next_other)++;
        rc = seed_task(s, st->user_ids[k % o->n_users], 1000000000L + k, now, created_at, &t,
                       &recurring, NULL);
    }
    task_release(&t);
    return rc;
}

static int seed_tasks(store_t *s, const struct seed_opts *o, struct seed_state *st, int64_t now)
{
    long total = o->n_tasks + o->n_users * o->n_user_tasks;
    long next_bench = 0, next_other = 0;
    for (long j = 0; j < total; j += o->batch) {
        int rc = store_begin(s);
        for (long k = j; !rc && k < j + o->batch && k < total; k++)
            rc = seed_one(s, o, st, k, total, &next_bench, &next_other, now);
        if (!rc)
            rc = store_commit(s);
        if (rc) {
            fprintf(stderr, "bench_seed: at task %ld: %s\n", j, store_last_error(s));
            store_rollback(s);
            return rc;
        }
    }
    return 0;
}

static int seed_users(store_t *s, const struct seed_opts *o, struct seed_state *st, int64_t now)
{
    char hash[crypto_pwhash_STRBYTES];
    /* one hash for every user: all share the password (and so may share its salt) */
    if (crypto_pwhash_str(hash, BENCH_PASSWORD, strlen(BENCH_PASSWORD),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        fprintf(stderr, "bench_seed: cannot hash the password (out of memory)\n");
        return 1;
    }
    int rc = store_begin(s);
    if (!rc)
        rc = seed_user(s, BENCH_EMAIL, hash, now, st->bench_id);
    for (long u = 0; !rc && u < o->n_users; u++) {
        char email[64];
        snprintf(email, sizeof email, "bench-%ld@example.com", u);
        rc = seed_user(s, email, hash, now, st->user_ids[u]);
    }
    if (!rc)
        rc = store_commit(s);
    else
        store_rollback(s);
    return rc;
}

/* SQLite only, for every connection this process opens (an auto extension, SQLite's own hook):
 * a page cache large enough for the indexes' insertion points (10,000 users' ranges of
 * tasks_user_created and task_tags_user_tag, the FTS segments). It changes how fast, not
 * what is written. */
static int tune_sqlite(sqlite3 *db, const char **errmsg, const void *api)
{
    (void)errmsg;
    (void)api;
    sqlite3_exec(db, "PRAGMA cache_size = -2097152; PRAGMA temp_store = MEMORY;", NULL, NULL, NULL);
    return SQLITE_OK;
}

static int write_ids(const char *path, const struct seed_state *st)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    for (int i = 0; i < st->n_ids; i++)
        fprintf(f, "%lld\n", (long long)st->ids[i]);
    return fclose(f) == 0 ? 0 : 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_seed URL [--tasks N] [--users N] [--user-tasks M] "
                    "[--batch B] [--ids FILE]\n");
    exit(2);
}

static long parse_count(const char *s, long min)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || end == s || v < min)
        usage();
    return v;
}

static void parse_opts(int argc, char **argv, struct seed_opts *o)
{
    static const struct option longs[] = {
        {"tasks", required_argument, NULL, 't'},      {"users", required_argument, NULL, 'u'},
        {"user-tasks", required_argument, NULL, 'm'}, {"batch", required_argument, NULL, 'b'},
        {"ids", required_argument, NULL, 'i'},        {NULL, 0, NULL, 0}};
    *o = (struct seed_opts){.n_tasks = 10000, .n_user_tasks = 100, .batch = 10000};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 't':
            o->n_tasks = parse_count(optarg, 1);
            break;
        case 'u':
            o->n_users = parse_count(optarg, 0);
            break;
        case 'm':
            o->n_user_tasks = parse_count(optarg, 0);
            break;
        case 'b':
            o->batch = parse_count(optarg, 1);
            break;
        case 'i':
            o->ids_path = optarg;
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1)
        usage();
    o->url = argv[optind];
}

static void print_result(const struct seed_opts *o, const struct seed_state *st, double secs)
{
    json_t *check = json_loads(st->check_json, 0, NULL);
    json_t *body = json_loads(st->check_body, 0, NULL);
    json_t *out = json_pack("{s:s,s:s,s:s,s:I,s:o,s:o,s:I,s:I,s:I,s:f}", "user_id", st->bench_id,
                            "email", BENCH_EMAIL, "password", BENCH_PASSWORD, "first_id",
                            (json_int_t)st->first_id, "check_task", check, "check_body", body,
                            "tasks", (json_int_t)o->n_tasks, "users", (json_int_t)o->n_users,
                            "user_tasks", (json_int_t)o->n_user_tasks, "seconds", secs);
    char *text = json_dumps(out, JSON_COMPACT); /* "o" above stole check and body */
    puts(text);
    free(text);
    json_decref(out);
}

int main(int argc, char **argv)
{
    struct seed_opts o;
    parse_opts(argc, argv, &o);
    if (sodium_init() < 0)
        return 1;
    struct todo_err err;
    todo_err_clear(&err);
    /* no allocation statistics: a mutex per malloc otherwise (set before SQLite starts) */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* the cast is SQLite's documented way to register an entry point */
    sqlite3_auto_extension((void (*)(void))tune_sqlite);
    store_t *s;
    if (store_open(o.url, &s, &err)) {
        fprintf(stderr, "bench_seed: %s\n", err.message);
        return 1;
    }
    struct seed_state st = {0};
    st.user_ids = xcalloc((size_t)o.n_users + 1, sizeof *st.user_ids);
    int64_t now = (int64_t)time(NULL) * 1000;
    double t0 = now_s();
    int rc = seed_users(s, &o, &st, now);
    if (!rc)
        rc = seed_tasks(s, &o, &st, now);
    if (!rc && o.ids_path)
        rc = write_ids(o.ids_path, &st);
    if (!rc)
        print_result(&o, &st, now_s() - t0);
    free(st.user_ids);
    free(st.check_json);
    free(st.check_body);
    store_destroy(s);
    return rc ? 1 : 0;
}
