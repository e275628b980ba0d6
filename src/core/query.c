/* query.c - parsing the task list query, resolving due shortcuts, and keyset cursors.
 *
 * A cursor is the sort values of the last row of a page plus its id, so the next page is
 * "rows strictly after these values in this order". It is base64url (no padding) of a
 * compact JSON array [signature, v1..vn, id]; the signature spells the sort ("-due_at,title")
 * so a cursor made for one sort is refused under another instead of skipping rows. */
#include "core/query.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "core/tz.h"

#define QUERY_Q_MAX      1000
#define QUERY_CURSOR_MAX 4096
#define MS_PER_DAY       (24LL * 3600 * 1000)
#define CURSOR_MISMATCH  "cursor does not match this query"

static const char *const sort_names[] = {"due_at", "priority", "created_at", "updated_at", "title"};
enum { N_SORT_KEYS = 5 };

/* Makes err a 400 naming the parameter. */
static void bad(struct todo_err *err, const char *param, const char *msg)
{
    todo_err_field(err, param, "%s: %s", param, msg);
    err->rc = TODO_ERR_BAD_REQUEST;
}

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static int parse_words(struct task_query *q, const char *s, struct todo_err *err)
{
    size_t len = strlen(s);
    if (len > QUERY_Q_MAX) {
        bad(err, "q", "is too long");
        return -1;
    }
    if (!utf8_valid(s, len)) {
        bad(err, "q", "must be valid UTF-8");
        return -1;
    }
    const char *p = s;
    while (*p) {
        while (*p && !is_word_byte((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && is_word_byte((unsigned char)*p))
            p++;
        if (p == start)
            break;
        if (q->n_words == QUERY_MAX_WORDS) {
            bad(err, "q", "has more than 16 words");
            return -1;
        }
        char *w = xstrndup(start, (size_t)(p - start));
        for (char *c = w; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        q->words[q->n_words++] = w;
    }
    return 0;
}

/* Calls fn(item, len, ctx) on each comma-separated item; -1 on an empty item or when fn
 * fails. */
static int each_item(const char *s, int (*fn)(const char *, size_t, void *), void *ctx)
{
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || fn(p, len, ctx) != 0)
            return -1;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int add_priority(const char *item, size_t len, void *ctx)
{
    char name[16];
    if (len >= sizeof name)
        return -1;
    memcpy(name, item, len);
    name[len] = '\0';
    int p = task_priority_parse(name);
    if (p < 0)
        return -1;
    *(unsigned *)ctx |= 1u << p;
    return 0;
}

struct tag_ctx {
    struct task_query *q;
    const char *why;
};

static int add_tag(const char *item, size_t len, void *ctx)
{
    struct tag_ctx *tc = ctx;
    char raw[TASK_TAG_MAX * 4 + 8], norm[TASK_TAG_MAX * 4 + 1];
    if (len >= sizeof raw) {
        tc->why = "has a tag over 50 characters";
        return -1;
    }
    memcpy(raw, item, len);
    raw[len] = '\0';
    if (tag_normalize(raw, norm, sizeof norm, &tc->why) != 0)
        return -1;
    for (int i = 0; i < tc->q->n_tags; i++)
        if (strcmp(tc->q->tags[i], norm) == 0)
            return 0;
    if (tc->q->n_tags == TASK_MAX_TAGS) {
        tc->why = "has more than 20 tags";
        return -1;
    }
    tc->q->tags[tc->q->n_tags++] = xstrdup(norm);
    return 0;
}

static int add_sort(const char *item, size_t len, void *ctx)
{
    struct task_query *q = ctx;
    bool desc = false;
    if (item[0] == '-') {
        desc = true;
        item++;
        len--;
    }
    int key = -1;
    for (int i = 0; i < N_SORT_KEYS; i++)
        if (strlen(sort_names[i]) == len && memcmp(item, sort_names[i], len) == 0)
            key = i;
    if (key < 0 || q->n_sort == QUERY_MAX_SORT)
        return -1;
    for (int i = 0; i < q->n_sort; i++)
        if (q->sort[i].key == key)
            return -1;
    q->sort[q->n_sort].key = key;
    q->sort[q->n_sort].desc = desc;
    q->n_sort++;
    return 0;
}

/* The sort signature, e.g. "-created_at,title". */
static void sort_signature(const struct task_query *q, struct buf *b)
{
    for (int i = 0; i < q->n_sort; i++) {
        if (i)
            buf_putc(b, ',');
        if (q->sort[i].desc)
            buf_putc(b, '-');
        buf_puts(b, sort_names[q->sort[i].key]);
    }
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64url_encode(const unsigned char *in, size_t len)
{
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
    } else if (len - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64url_value(char c)
{
    const char *p = c ? strchr(b64url, c) : NULL;
    return p ? (int)(p - b64url) : -1;
}

/* Strict decode: alphabet only, no padding, no length of 1 mod 4, zero spare bits. */
static unsigned char *b64url_decode(const char *in, size_t *out_len)
{
    size_t len = strlen(in);
    if (len % 4 == 1)
        return NULL;
    unsigned char *out = xmalloc(len / 4 * 3 + 3);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value(in[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6 | (unsigned)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        free(out);
        return NULL;
    }
    *out_len = o;
    return out;
}

static int parse_cursor(struct task_query *q, const char *s)
{
    size_t len;
    if (strlen(s) == 0 || strlen(s) > QUERY_CURSOR_MAX)
        return -1;
    unsigned char *raw = b64url_decode(s, &len);
    if (!raw)
        return -1;
    int rc = -1;
    json_t *arr = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (!json_is_array(arr) || json_array_size(arr) != (size_t)q->n_sort + 2)
        goto out_free_json;
    struct buf sig;
    buf_init(&sig);
    sort_signature(q, &sig);
    json_t *s0 = json_array_get(arr, 0);
    bool sig_ok = json_is_string(s0) && strcmp(json_string_value(s0), sig.data) == 0;
    buf_release(&sig);
    if (!sig_ok)
        goto out_free_json;
    struct cursor_value vals[QUERY_MAX_SORT] = {0};
    int n = 0;
    for (; n < q->n_sort; n++) {
        json_t *v = json_array_get(arr, (size_t)n + 1);
        if (q->sort[n].key == SORT_TITLE) {
            if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
                !utf8_valid(json_string_value(v), json_string_length(v)))
                break;
            vals[n].is_text = true;
            vals[n].text = xstrdup(json_string_value(v));
        } else {
            if (!json_is_integer(v))
                break;
            int64_t num = json_integer_value(v);
            if (q->sort[n].key == SORT_PRIORITY && (num < PRIORITY_NONE || num > PRIORITY_HIGH))
                break;
            vals[n].num = num;
        }
    }
    json_t *id = json_array_get(arr, (size_t)q->n_sort + 1);
    if (n < q->n_sort || !json_is_integer(id) || json_integer_value(id) < 0) {
        for (int i = 0; i < n; i++)
            free(vals[i].text);
        goto out_free_json;
    }
    memcpy(q->after, vals, sizeof vals);
    q->after_id = json_integer_value(id);
    q->has_cursor = true;
    rc = 0;
out_free_json:
    json_decref(arr);
    return rc;
}

static int parse_time(const char *s, int64_t *out)
{
    return strlen(s) > 64 ? -1 : time_parse_rfc3339(s, out);
}

/* status, priority and tags. */
static void parse_what(struct task_query *q, query_param_fn get, void *ctx, struct todo_err *err)
{
    const char *v;
    if ((v = get(ctx, "status"))) {
        if (strcmp(v, "all") == 0)
            q->status = QSTATUS_ALL;
        else if (strcmp(v, "pending") == 0)
            q->status = QSTATUS_PENDING;
        else if (strcmp(v, "completed") == 0)
            q->status = QSTATUS_COMPLETED;
        else
            bad(err, "status", "must be all, pending or completed");
    }
    if ((v = get(ctx, "priority")) && each_item(v, add_priority, &q->priority_mask) != 0)
        bad(err, "priority", "must be a comma list of none, low, medium, high");
    if ((v = get(ctx, "tags"))) {
        struct tag_ctx tc = {q, "has an empty tag"};
        if (each_item(v, add_tag, &tc) != 0)
            bad(err, "tags", tc.why);
    }
}

/* The task's times: due (a named range), due_before, due_after, recurring. */
static void parse_when(struct task_query *q, query_param_fn get, void *ctx, struct todo_err *err)
{
    const char *v;
    if ((v = get(ctx, "due"))) {
        static const char *const dues[] = {"overdue", "today", "tomorrow", "week", "none", "any"};
        for (int i = 0; i < 6 && !q->due; i++)
            if (strcmp(v, dues[i]) == 0)
                q->due = QDUE_OVERDUE + i;
        if (!q->due)
            bad(err, "due", "must be overdue, today, tomorrow, week, none or any");
    }
    if ((v = get(ctx, "due_before"))) {
        if (parse_time(v, &q->due_to) == 0)
            q->has_due_to = true;
        else
            bad(err, "due_before", "is not a valid RFC 3339 time");
    }
    if ((v = get(ctx, "due_after"))) {
        if (parse_time(v, &q->due_from) == 0)
            q->has_due_from = true;
        else
            bad(err, "due_after", "is not a valid RFC 3339 time");
    }
    if ((v = get(ctx, "recurring"))) {
        if (strcmp(v, "true") == 0)
            q->recurring = 1;
        else if (strcmp(v, "false") == 0)
            q->recurring = 0;
        else
            bad(err, "recurring", "must be true or false");
    }
}

/* limit: 1..QUERY_LIMIT_MAX, digits only. */
static void parse_limit(struct task_query *q, const char *v, struct todo_err *err)
{
    size_t len = strlen(v);
    long n = 0;
    bool ok = len > 0 && len <= 3;
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9';
        n = n * 10 + (v[i] - '0');
    }
    if (ok && n >= 1 && n <= QUERY_LIMIT_MAX)
        q->limit = (int)n;
    else
        bad(err, "limit", "must be a whole number from 1 to 200");
}

/* sort (default: newest first), limit and the cursor, which must fit the sort. */
static void parse_page(struct task_query *q, query_param_fn get, void *ctx, struct todo_err *err)
{
    const char *v;
    bool sort_ok = true;
    if ((v = get(ctx, "sort")) && each_item(v, add_sort, q) != 0) {
        bad(err, "sort",
            "must be a comma list of distinct due_at, priority, created_at, updated_at, title, "
            "each optionally prefixed with -");
        sort_ok = false;
    }
    if (q->n_sort == 0) {
        q->n_sort = 1;
        q->sort[0].key = SORT_CREATED_AT;
        q->sort[0].desc = true;
    }
    if ((v = get(ctx, "limit")))
        parse_limit(q, v, err);
    if ((v = get(ctx, "cursor")) && sort_ok && parse_cursor(q, v) != 0)
        bad(err, "cursor", CURSOR_MISMATCH);
}

int query_parse(struct task_query *q, query_param_fn get, void *ctx, struct todo_err *err)
{
    memset(q, 0, sizeof *q);
    q->status = QSTATUS_ALL;
    q->recurring = -1;
    q->limit = QUERY_LIMIT_DEFAULT;
    int n_details = err->n_details;
    const char *v;
    if ((v = get(ctx, "q")))
        parse_words(q, v, err);
    parse_what(q, get, ctx, err);
    parse_when(q, get, ctx, err);
    parse_page(q, get, ctx, err);
    if (err->n_details != n_details || err->rc != TODO_OK) {
        query_release(q);
        return TODO_ERR_BAD_REQUEST;
    }
    assert(q->n_sort >= 1 && q->limit >= 1 && q->limit <= QUERY_LIMIT_MAX);
    return TODO_OK;
}

/* Narrows [due_from, due_to) to [from, to). */
static void intersect(struct task_query *q, int64_t from, int64_t to)
{
    if (!q->has_due_from || from > q->due_from)
        q->due_from = from;
    if (!q->has_due_to || to < q->due_to)
        q->due_to = to;
    q->has_due_from = true;
    q->has_due_to = true;
}

int query_resolve_due(struct task_query *q, const char *tz, int64_t now_ms)
{
    int64_t d0, d1, d2, d7;
    switch (q->due) {
    case QDUE_OVERDUE:
        q->status = QSTATUS_PENDING;
        if (!q->has_due_to || now_ms < q->due_to)
            q->due_to = now_ms;
        q->has_due_to = true;
        q->due_not_null = true;
        return 0;
    case QDUE_TODAY:
        if (tz_day_start(tz, now_ms, 0, &d0) != 0 || tz_day_start(tz, now_ms, 1, &d1) != 0)
            return -1;
        intersect(q, d0, d1);
        return 0;
    case QDUE_TOMORROW:
        if (tz_day_start(tz, now_ms, 1, &d1) != 0 || tz_day_start(tz, now_ms, 2, &d2) != 0)
            return -1;
        intersect(q, d1, d2);
        return 0;
    case QDUE_WEEK:
        if (tz_day_start(tz, now_ms, 0, &d0) != 0 || tz_day_start(tz, now_ms, 7, &d7) != 0)
            return -1;
        intersect(q, d0, d7);
        return 0;
    case QDUE_NONE:
        q->due_null = true;
        return 0;
    case QDUE_ANY:
        q->due_not_null = true;
        return 0;
    default:
        return 0;
    }
}

void query_release(struct task_query *q)
{
    for (int i = 0; i < q->n_words; i++)
        free(q->words[i]);
    for (int i = 0; i < q->n_tags; i++)
        free(q->tags[i]);
    for (int i = 0; i < QUERY_MAX_SORT; i++)
        free(q->after[i].text);
    memset(q, 0, sizeof *q);
}

void query_sort_value(const struct task *t, int key, bool desc, struct cursor_value *out)
{
    out->is_text = false;
    out->num = 0;
    out->text = NULL;
    switch (key) {
    case SORT_DUE_AT:
        out->num = t->has_due ? t->due_at : desc ? INT64_MIN : INT64_MAX;
        break;
    case SORT_PRIORITY:
        out->num = t->priority;
        break;
    case SORT_CREATED_AT:
        out->num = t->created_at;
        break;
    case SORT_UPDATED_AT:
        out->num = t->updated_at;
        break;
    case SORT_TITLE:
        out->is_text = true;
        out->text = task_title_sort_key(t->title);
        break;
    default:
        break;
    }
}

char *query_cursor_encode(const struct task_query *q, const struct task *t)
{
    struct buf sig;
    buf_init(&sig);
    sort_signature(q, &sig);
    /* json_array_append_new steals each new value's reference. */
    json_t *arr = json_array();
    json_array_append_new(arr, json_string(sig.data ? sig.data : ""));
    buf_release(&sig);
    for (int i = 0; i < q->n_sort; i++) {
        struct cursor_value cv;
        query_sort_value(t, q->sort[i].key, q->sort[i].desc, &cv);
        if (cv.is_text)
            json_array_append_new(arr, json_string(cv.text));
        else
            json_array_append_new(arr, json_integer(cv.num));
        free(cv.text);
    }
    json_array_append_new(arr, json_integer(t->id));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    char *cursor = b64url_encode((const unsigned char *)text, strlen(text));
    free(text);
    return cursor;
}
