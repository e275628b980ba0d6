/* recurring.h - the recurring role's handler (consumer group "recurring"). */
#ifndef TODO_SERVICES_RECURRING_H
#define TODO_SERVICES_RECURRING_H

#include "app/app.h"
#include "events/consumer.h"

/* Registers the handler that creates the next occurrence when a recurring task is completed;
 * a must outlive the consumer. */
void recurring_register(consumer_t *c, struct app *a);

#endif
