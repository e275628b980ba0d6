/* tz_internal.h - the one lock around libical's time-zone calls, shared by the core modules
 * that use them (tz.c, recur.c): libical's builtin zone table is not safe to load from
 * several threads at once. */
#ifndef TODO_CORE_TZ_INTERNAL_H
#define TODO_CORE_TZ_INTERNAL_H

#include <pthread.h>

extern pthread_mutex_t tz_libical_lock;

#endif
