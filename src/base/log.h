/* log.h - one JSON object per line on stdout: ts, level, service, msg, then fields.
 * Thread-safe: each line is built in memory and written with one write(2).
 * Never pass a secret, password or token as a field. */
#ifndef TODO_BASE_LOG_H
#define TODO_BASE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the service name and the minimum level; call once at start. */
void log_init(const char *service, enum log_level min_level);
/* Parses "debug" | "info" | "warn" | "error"; returns -1 when unknown. */
int log_level_parse(const char *s);
/* fields_json is either NULL or the inside of a JSON object ("\"a\":1,\"b\":\"x\"")
 * appended verbatim after the standard keys. */
void log_write(enum log_level level, const char *msg, const char *fields_json);
/* printf-style message, no extra fields. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when a line of this level would be written. */
int log_enabled(enum log_level level);

#endif
