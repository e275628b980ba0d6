/* audit.h - the audit role's handlers (consumer group "audit"). */
#ifndef TODO_SERVICES_AUDIT_H
#define TODO_SERVICES_AUDIT_H

#include "events/consumer.h"

/* Registers the audit handler for every todo.task.* event on task-events. */
void audit_register(consumer_t *c);

#endif
