/* procstat.c - process metrics from /proc/self/stat (memory, threads, CPU time, start time),
 * /proc/self/fd and getrlimit, under the names every Prometheus client library uses, so the
 * usual dashboards and alerts work on every role unchanged (docs/decisions/0052). */
#include "base/procstat.h"
#include "base/timeutil.h"

#include <pthread.h>
#include <assert.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static long long count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long long n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory stream's own fd */
}

static long long btime_cached = -1;

static void read_boot_time(void)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return;
    char line[256];
    long long btime = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "btime %lld", &btime) == 1)
            break;
    fclose(f);
    btime_cached = btime;
}

/* The system's boot time, seconds since the epoch ("btime" of /proc/stat), or -1. Read once:
 * it does not change, and /proc/stat grows with the CPUs and interrupts. */
static long long boot_time(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_boot_time);
    return btime_cached;
}

/* Fields 3.. of /proc/self/stat (after "pid (comm) ", comm may hold spaces and parens). */
static int read_stat(struct procstat *p)
{
    char text[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *rest = strrchr(text, ')');
    if (!rest)
        return -1;
    unsigned long long utime, stime, start_ticks, vsize;
    long long threads, rss_pages;
    /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
     * cutime cstime priority nice num_threads itrealvalue starttime vsize rss */
    int got = sscanf(rest + 1,
                     " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d"
                     " %lld %*d %llu %llu %lld",
                     &utime, &stime, &threads, &start_ticks, &vsize, &rss_pages);
    if (got != 6)
        return -1;
    double hz = (double)sysconf(_SC_CLK_TCK);
    long long btime = boot_time();
    p->cpu_seconds = (double)(utime + stime) / hz;
    p->threads = threads;
    p->virtual_bytes = (long long)vsize;
    p->resident_bytes = rss_pages * sysconf(_SC_PAGESIZE);
    p->start_time = btime < 0 ? -1 : (double)btime + (double)start_ticks / hz;
    return 0;
}

int procstat_read(struct procstat *out)
{
    assert(out);
    struct procstat p;
    if (read_stat(&p) != 0)
        return -1;
    p.open_fds = count_open_fds();
    struct rlimit rl;
    p.max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                    ? (long long)rl.rlim_cur
                    : -1;
    *out = p;
    return 0;
}

static void gauge(struct buf *out, const char *name, const char *type, const char *help, double v,
                  bool integer)
{
    buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    if (integer)
        buf_printf(out, "%s %.0f\n", name, v);
    else
        buf_printf(out, "%s %.3f\n", name, v);
}

void procstat_render(struct buf *out)
{
    assert(out);
    struct procstat p;
    if (procstat_read(&p) != 0)
        return;
    gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
          (double)p.resident_bytes, true);
    gauge(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
          (double)p.virtual_bytes, true);
    if (p.open_fds >= 0)
        gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.",
              (double)p.open_fds, true);
    if (p.max_fds >= 0)
        gauge(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
              (double)p.max_fds, true);
    gauge(out, "process_threads", "gauge", "Number of OS threads in the process.",
          (double)p.threads, true);
    gauge(out, "process_cpu_seconds_total", "counter",
          "Total user and system CPU time spent in seconds.", p.cpu_seconds, false);
    if (p.start_time >= 0) {
        gauge(out, "process_start_time_seconds", "gauge",
              "Start time of the process since the Unix epoch in seconds.", p.start_time, false);
        gauge(out, "process_uptime_seconds", "gauge", "Seconds since the process started.",
              (double)time_now_ms() / 1000.0 - p.start_time, false);
    }
}
