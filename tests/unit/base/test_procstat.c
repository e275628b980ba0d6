/* Unit tests for the process metrics (base/procstat.c): each figure moves when the thing it
 * counts happens, and the text has every standard family with its TYPE line. */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/procstat.h"
#include "base/timeutil.h"

static struct procstat read_now(void)
{
    struct procstat p;
    cr_assert_eq(procstat_read(&p), 0, "/proc/self is readable");
    return p;
}

Test(procstat, opening_a_file_grows_open_fds_and_closing_it_shrinks_them)
{
    struct procstat before = read_now();
    int fd = open("/dev/null", O_RDONLY);
    cr_assert_geq(fd, 0);
    struct procstat during = read_now();
    close(fd);
    struct procstat after = read_now();
    cr_assert_eq(during.open_fds, before.open_fds + 1);
    cr_assert_eq(after.open_fds, before.open_fds);
    cr_assert_gt(during.max_fds, during.open_fds);
}

static atomic_bool release_thread;

static void *park_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&release_thread))
        sched_yield();
    return NULL;
}

/* Two parked threads, counted between them: no thread exits in between (an exiting one may
 * linger in /proc after its join), and a sanitizer's own helper thread is up by the first. */
Test(procstat, starting_a_thread_grows_threads)
{
    pthread_t t[2];
    atomic_store(&release_thread, false);
    cr_assert_eq(pthread_create(&t[0], NULL, park_main, NULL), 0);
    struct procstat one = read_now();
    cr_assert_eq(pthread_create(&t[1], NULL, park_main, NULL), 0);
    struct procstat two = read_now();
    atomic_store(&release_thread, true);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cr_assert_geq(one.threads, 2);
    cr_assert_eq(two.threads, one.threads + 1);
}

Test(procstat, mapping_and_touching_memory_grows_virtual_and_resident_bytes)
{
    const size_t len = 64u << 20;
    struct procstat before = read_now();
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(m, MAP_FAILED);
    memset(m, 1, len);
    struct procstat during = read_now();
    munmap(m, len);
    cr_assert_geq(during.virtual_bytes, before.virtual_bytes + (long long)len);
    cr_assert_geq(during.resident_bytes, before.resident_bytes + (long long)len / 2);
}

Test(procstat, cpu_time_grows_with_work_and_start_time_is_in_the_past)
{
    struct procstat before = read_now();
    struct procstat now = before;
    volatile unsigned long spin = 0;
    /* work until the kernel has charged at least one clock tick; a broken reading fails at the
     * deadline instead of spinning on */
    int64_t deadline = time_now_ms() + 10000;
    while (now.cpu_seconds <= before.cpu_seconds && time_now_ms() < deadline) {
        for (int i = 0; i < 1000000; i++)
            spin += (unsigned long)i;
        now = read_now();
    }
    cr_assert_gt(now.cpu_seconds, before.cpu_seconds, "no CPU time charged after 10 s of work");
    cr_assert_gt(now.start_time, 1.0e9, "seconds since the epoch");
    cr_assert_leq(now.start_time, (double)time(NULL) + 1.0);
}

Test(procstat, render_has_every_standard_family_with_its_type)
{
    static const char *const families[][2] = {
        {"process_resident_memory_bytes", "gauge"},
        {"process_virtual_memory_bytes", "gauge"},
        {"process_open_fds", "gauge"},
        {"process_max_fds", "gauge"},
        {"process_threads", "gauge"},
        {"process_cpu_seconds_total", "counter"},
        {"process_start_time_seconds", "gauge"},
        {"process_uptime_seconds", "gauge"},
    };
    struct buf b;
    buf_init(&b);
    procstat_render(&b);
    buf_putc(&b, '\0');
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        char type_line[128], sample[128];
        snprintf(type_line, sizeof type_line, "# TYPE %s %s\n", families[i][0], families[i][1]);
        snprintf(sample, sizeof sample, "\n%s ", families[i][0]);
        cr_assert_not_null(strstr(b.data, type_line), "%s", type_line);
        cr_assert_not_null(strstr(b.data, sample), "a sample of %s", families[i][0]);
    }
    buf_release(&b);
}
