/* criterion.h (ThreadSanitizer build only) - a stand-in for the part of Criterion's API the
 * thread tests use, so that they run under ThreadSanitizer: Criterion itself cannot start
 * there (its inheritable arena cannot be mapped beside TSan's shadow memory; upstream issue
 * Snaipe/Criterion#274). The real Criterion runs the same files in the unit tier.
 *
 * Each Test runs in this process, in registration order, with its suite's and its own
 * .init/.fini; a failed assertion prints where and why and exits 1 (TSan's reports come out
 * on their own and make scripts/run-unit.sh fail). A cr_skip_test prints [SKIP] (which
 * fails the run); cases that expect a signal or an exit code cannot run in-process and are
 * listed as [NOT RUN] (the ASan unit tier runs them). docs/decisions/0021-*.md. */
#ifndef TODO_TSAN_CRITERION_SHIM_H
#define TODO_TSAN_CRITERION_SHIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct criterion_global_stats; /* ReportHook bodies compile, and never run */

struct shim_opts {
    void (*init)(void);
    void (*fini)(void);
    double timeout;
    int signal;
    int exit_code;
    bool disabled;
    const char *description;
};

struct shim_test {
    const char *suite, *name;
    void (*fn)(void);
    struct shim_opts opts;
    struct shim_test *next;
};

struct shim_suite {
    const char *name;
    struct shim_opts opts;
    struct shim_suite *next;
};

static struct shim_test *shim_tests, **shim_tail = &shim_tests;
static struct shim_suite *shim_suites;
static jmp_buf shim_jmp;
static char shim_skip_reason[256];

__attribute__((unused)) static void shim_add_test(struct shim_test *t)
{
    *shim_tail = t;
    shim_tail = &t->next;
}

__attribute__((unused)) static void shim_add_suite(struct shim_suite *s)
{
    s->next = shim_suites;
    shim_suites = s;
}

#define SHIM_CAT(a, b) a##_##b

#define Test(suite, name, ...)                                                                     \
    static void SHIM_CAT(suite, name##_impl)(void);                                                \
    static struct shim_test SHIM_CAT(suite, name##_t) = {                                          \
        #suite, #name, SHIM_CAT(suite, name##_impl), {__VA_ARGS__}, NULL};                         \
    __attribute__((constructor)) static void SHIM_CAT(suite, name##_reg)(void)                     \
    {                                                                                              \
        shim_add_test(&SHIM_CAT(suite, name##_t));                                                 \
    }                                                                                              \
    static void SHIM_CAT(suite, name##_impl)(void)

#define TestSuite(suite, ...)                                                                      \
    static struct shim_suite SHIM_CAT(suite, suite_s) = {#suite, {__VA_ARGS__}, NULL};             \
    __attribute__((constructor)) static void SHIM_CAT(suite, suite_reg)(void)                      \
    {                                                                                              \
        shim_add_suite(&SHIM_CAT(suite, suite_s));                                                 \
    }

#define ReportHook(kind) __attribute__((unused)) static void shim_hook_##kind

__attribute__((noreturn, format(printf, 4, 5))) static void
shim_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
    fprintf(stderr, "[----] %s:%d: Assertion Failed: %s\n[----]   ", file, line, expr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

#define cr_assert(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            shim_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__);                                 \
    } while (0)
#define cr_assert_not(cond, ...)     cr_assert(!(cond), __VA_ARGS__)
#define cr_assert_eq(a, b, ...)      cr_assert((a) == (b), __VA_ARGS__)
#define cr_assert_neq(a, b, ...)     cr_assert((a) != (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...)      cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...)     cr_assert((a) <= (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...)      cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_geq(a, b, ...)     cr_assert((a) >= (b), __VA_ARGS__)
#define cr_assert_null(p, ...)       cr_assert((p) == NULL, __VA_ARGS__)
#define cr_assert_not_null(p, ...)   cr_assert((p) != NULL, __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...)  cr_assert(strcmp((a), (b)) == 0, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...) cr_assert(strcmp((a), (b)) != 0, __VA_ARGS__)
#define cr_expect(cond, ...)         cr_assert(cond, __VA_ARGS__)
#define cr_skip_test(...)                                                                          \
    do {                                                                                           \
        snprintf(shim_skip_reason, sizeof shim_skip_reason, " " __VA_ARGS__);                      \
        longjmp(shim_jmp, 1);                                                                      \
    } while (0)

static const struct shim_opts *shim_suite_opts(const char *suite)
{
    for (struct shim_suite *s = shim_suites; s; s = s->next)
        if (strcmp(s->name, suite) == 0)
            return &s->opts;
    return NULL;
}

/* Runs one case; returns 1 when it ran, 0 when it was skipped. */
static int shim_run(struct shim_test *t)
{
    const struct shim_opts *so = shim_suite_opts(t->suite);
    void (*init)(void) = t->opts.init ? t->opts.init : so ? so->init : NULL;
    void (*fini)(void) = t->opts.fini ? t->opts.fini : so ? so->fini : NULL;
    if (t->opts.disabled || t->opts.signal || t->opts.exit_code) {
        printf("[NOT RUN] %s::%s: expects a signal or an exit code (not run in-process)\n",
               t->suite, t->name);
        return 0;
    }
    if (setjmp(shim_jmp)) {
        printf("[SKIP] %s::%s: %s\n", t->suite, t->name, shim_skip_reason);
        if (fini)
            fini();
        return 0;
    }
    if (init)
        init();
    t->fn();
    if (fini)
        fini();
    printf("[PASS] %s::%s\n", t->suite, t->name);
    return 1;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int n_run = 0, n_all = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (struct shim_test *t = shim_tests; t; t = t->next, n_all++)
        n_run += shim_run(t);
    printf("[====] Synthesis: Tested: %d | Passing: %d | Failing: 0 | Crashing: 0 \n", n_all,
           n_run);
    return 0;
}

#endif
