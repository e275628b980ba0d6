/* audit.h - the audit role's handlers (consumer group "audit"). */
#ifndef TODO_SERVICES_AUDIT_H
#define TODO_SERVICES_AUDIT_H

#include "app/app.h"
#include "events/consumer.h"

/* Registers the audit handler for every todo.task.* event on task-events; a must outlive the
 * consumer, and the consumer's store must be a's. */
void audit_register(consumer_t *c, struct app *a);

#endif
