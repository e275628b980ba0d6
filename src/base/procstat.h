/* procstat.h - the standard Prometheus process metrics (process_*), read from /proc/self at
 * scrape time: nothing is counted on any request path (docs/operations.md, "Metrics"). */
#ifndef TODO_BASE_PROCSTAT_H
#define TODO_BASE_PROCSTAT_H

#include <stdbool.h>

#include "base/buf.h"

struct procstat {
    long long resident_bytes; /* resident set size */
    long long virtual_bytes;  /* virtual memory size */
    long long open_fds;       /* entries of /proc/self/fd */
    long long max_fds;        /* the soft RLIMIT_NOFILE */
    long long threads;        /* threads of this process */
    double cpu_seconds;       /* user + system CPU time */
    double start_time;        /* seconds since the Unix epoch */
};

/* Reads this process's figures. Returns 0, or -1 when /proc cannot be read (then *out is
 * untouched). Thread-safe. */
int procstat_read(struct procstat *out);

/* Appends the process_* families (Prometheus text) with their HELP and TYPE lines, and
 * process_uptime_seconds. A figure /proc does not give is left out. Thread-safe. */
void procstat_render(struct buf *out);

#endif
