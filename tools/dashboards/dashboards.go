package main

// The dashboards. Metric names come from docs/operations.md's metrics catalogue (the app),
// daprd 1.16's own metrics and the exporters' tables there; scripts/test-monitoring.sh checks
// every name. Labels added by the scrape configuration (deploy/monitoring/scrape): namespace,
// pod, component (the pod's app.kubernetes.io/component), job (todo, todo-dapr,
// todo-kafka, todo-postgres).

type target struct {
	expr   string
	legend string
}

type pnl struct {
	kind        string // "ts" (time series) or "stat"
	title       string
	description string
	unit        string
	targets     []target
	requires    string // what must run for the series to exist, when not the dashboard's
}

type row struct {
	title  string
	panels []pnl
}

type dash struct {
	name, uid, title, description string
	requires                      string
	rows                          []row
}

func q(expr, legend string) []target { return []target{{expr, legend}} }

// api is the route filter of the API's own requests: the web UI's files, the probes and the
// scrapes are not the users' API traffic (the SLO rules in deploy/monitoring/rules/slo.yaml
// use the same).
const api = `route!~"static|/healthz|/readyz|/metrics"`

// app selects the app's own process series: daprd and the exporters serve the same names.
const app = `job="todo"`

func dashboards() []dash {
	return []dash{overview(), events(), remindersNotifications(), assistant(), dapr(), kafkaPostgres()}
}

func overview() dash {
	return dash{
		name: "overview", uid: "todo-overview", title: "Todo / Overview",
		description: "Requests, errors and latency per route (RED), the SLO burn rates, targets and saturation of every role.",
		rows: []row{
			{"Service level", []pnl{
				{kind: "stat", title: "Availability burn rate (1h)", unit: "none",
					description: "Share of API requests answered 5xx over the last hour divided by the 0.1 % budget; 14.4 pages (docs/operations.md, Runbooks).",
					targets:     q(`todo:api_errors:ratio_rate1h / 0.001`, "burn rate")},
				{kind: "stat", title: "Latency burn rate (1h)", unit: "none",
					description: "Share of API requests slower than 250 ms over the last hour divided by the 1 % budget; 14.4 pages.",
					targets:     q(`todo:api_slow:ratio_rate1h / 0.01`, "burn rate")},
				{kind: "stat", title: "API error ratio", unit: "percentunit",
					description: "Share of API requests answered 5xx.",
					targets:     q(`(sum(rate(todo_http_requests_total{`+api+`,status=~"5.."}[$__rate_interval])) or vector(0)) / sum(rate(todo_http_requests_total{`+api+`}[$__rate_interval]))`, "5xx")},
				{kind: "stat", title: "Targets up", unit: "none",
					description: "Scrape targets answering, of the app and of its sidecars.",
					targets:     q(`sum by (job) (up{job=~"todo|todo-dapr"})`, "{{job}}")},
			}},
			{"Requests (RED)", []pnl{
				{kind: "ts", title: "Requests by route", unit: "reqps",
					targets: q(`sum by (route) (rate(todo_http_requests_total[$__rate_interval]))`, "{{route}}")},
				{kind: "ts", title: "Responses by status", unit: "reqps",
					targets: q(`sum by (status) (rate(todo_http_requests_total[$__rate_interval]))`, "{{status}}")},
				{kind: "ts", title: "Errors (5xx) by route", unit: "reqps",
					targets: q(`sum by (route) (rate(todo_http_requests_total{status=~"5.."}[$__rate_interval])) or sum by (route) (rate(todo_http_requests_total{`+api+`}[$__rate_interval])) * 0`, "{{route}}")},
				{kind: "ts", title: "Latency p99 by route", unit: "s",
					targets: q(`histogram_quantile(0.99, sum by (route, le) (rate(todo_http_request_duration_seconds_bucket[$__rate_interval])))`, "{{route}}")},
				{kind: "ts", title: "Latency p50 by route", unit: "s",
					targets: q(`histogram_quantile(0.5, sum by (route, le) (rate(todo_http_request_duration_seconds_bucket[$__rate_interval])))`, "{{route}}")},
				{kind: "ts", title: "Requests by role", unit: "reqps",
					targets: q(`sum by (component) (rate(todo_http_requests_total[$__rate_interval]))`, "{{component}}")},
			}},
			{"Saturation", []pnl{
				{kind: "ts", title: "Front door: calls queued or in flight", unit: "none",
					description: "todo web: calls waiting for or held by the api; at the queue's size it answers 503.",
					targets:     q(`sum by (pod) (todo_web_forwarding)`, "{{pod}}")},
				{kind: "ts", title: "Front door: forwarded by outcome", unit: "reqps",
					targets: q(`sum by (outcome) (rate(todo_web_forwarded_total[$__rate_interval]))`, "{{outcome}}")},
				{kind: "ts", title: "Store: writes per group commit", unit: "none",
					description: "Task writes per group-commit transaction (ADR 0022); rising under load is the committer keeping up.",
					targets:     q(`sum by (component) (rate(todo_write_items_total[$__rate_interval])) / sum by (component) (rate(todo_write_batches_total[$__rate_interval]))`, "{{component}}")},
				{kind: "ts", title: "Writes waiting for a group commit", unit: "none",
					targets: q(`sum by (pod) (todo_write_queued)`, "{{pod}}")},
				{kind: "ts", title: "Open WebSockets", unit: "none",
					targets: q(`sum by (pod) (todo_ws_connections)`, "{{pod}}")},
			}},
			{"Database", []pnl{
				{kind: "ts", title: "Database connections by state", unit: "none",
					targets: q(`sum by (component, state) (todo_db_connections)`, "{{component}} {{state}}")},
				{kind: "ts", title: "Transaction time p99", unit: "s",
					targets: q(`histogram_quantile(0.99, sum by (component, le) (rate(todo_db_transaction_duration_seconds_bucket[$__rate_interval])))`, "{{component}}")},
				{kind: "ts", title: "Transactions by outcome", unit: "ops",
					targets: q(`sum by (outcome) (rate(todo_db_transactions_total[$__rate_interval]))`, "{{outcome}}")},
				{kind: "ts", title: "Time waiting for the write lock", unit: "percentunit",
					description: "Seconds per second threads spent waiting for the database's write lock.",
					targets:     q(`sum by (component) (rate(todo_db_wait_seconds_total[$__rate_interval]))`, "{{component}}")},
			}},
			{"Processes", []pnl{
				{kind: "ts", title: "Resident memory", unit: "bytes",
					targets: q(`sum by (pod) (process_resident_memory_bytes{`+app+`})`, "{{pod}}")},
				{kind: "ts", title: "CPU", unit: "percentunit",
					targets: q(`sum by (pod) (rate(process_cpu_seconds_total{`+app+`}[$__rate_interval]))`, "{{pod}}")},
				{kind: "ts", title: "File descriptors used", unit: "percentunit",
					targets: q(`max by (pod) (process_open_fds{`+app+`} / process_max_fds{`+app+`})`, "{{pod}}")},
				{kind: "ts", title: "Threads", unit: "none",
					targets: q(`sum by (pod) (process_threads{`+app+`})`, "{{pod}}")},
			}},
		},
	}
}

func events() dash {
	return dash{
		name: "events", uid: "todo-events", title: "Todo / Events",
		description: "The outbox relay, the consumers and the dead letters (docs/events/README.md).",
		rows: []row{
			{"Outbox", []pnl{
				{kind: "ts", title: "Outbox backlog", unit: "none",
					description: "Events written but not yet published, per pod with a relay.",
					targets:     q(`sum by (pod) (todo_outbox_backlog)`, "{{pod}}")},
				{kind: "ts", title: "Oldest unpublished event", unit: "s",
					targets: q(`max by (pod) (todo_outbox_oldest_age_seconds)`, "{{pod}}")},
				{kind: "ts", title: "Published by topic", unit: "ops",
					targets: q(`sum by (topic) (rate(todo_events_published_total[$__rate_interval]))`, "{{topic}}")},
				{kind: "ts", title: "Publish failures by topic", unit: "ops",
					description: "The failure counter appears with a topic's first failure; until then the panel shows 0 from the published counter.",
					targets:     q(`sum by (topic) (rate(todo_events_publish_failed_total[$__rate_interval])) or sum by (topic) (rate(todo_events_published_total[$__rate_interval])) * 0`, "{{topic}}")},
			}},
			{"Consumers", []pnl{
				{kind: "ts", title: "Consumed by consumer and topic", unit: "ops",
					targets: q(`sum by (consumer, topic) (rate(todo_events_consumed_total[$__rate_interval]))`, "{{consumer}} ← {{topic}}")},
				{kind: "ts", title: "Consumer lag", unit: "s",
					description: "Handling time minus event time of the last event each consumer handled.",
					targets:     q(`max by (consumer, topic) (todo_consumer_lag_seconds)`, "{{consumer}} ← {{topic}}")},
				{kind: "ts", title: "Failed and retried", unit: "ops",
					targets: []target{
						{`sum by (consumer) (rate(todo_events_failed_total[$__rate_interval]))`, "failed {{consumer}}"},
						{`sum by (consumer) (rate(todo_events_retried_total[$__rate_interval]))`, "retried {{consumer}}"},
					}},
				{kind: "ts", title: "Duplicates ignored", unit: "ops",
					targets: q(`sum by (consumer) (rate(todo_events_duplicates_total[$__rate_interval]))`, "{{consumer}}")},
				{kind: "ts", title: "Batches applied", unit: "ops",
					targets: q(`sum by (consumer) (rate(todo_consumer_batches_total[$__rate_interval]))`, "{{consumer}}")},
				{kind: "ts", title: "Rows pruned", unit: "ops",
					targets: q(`sum by (table) (rate(todo_events_pruned_total[$__rate_interval]))`, "{{table}}")},
			}},
			{"Dead letters", []pnl{
				{kind: "stat", title: "Events dead-lettered (1h)", unit: "none",
					description: "Events sent to <topic>.dlq after their last attempt, over the last hour.",
					targets:     q(`sum(increase(todo_events_dead_lettered_total[1h]))`, "events")},
				{kind: "ts", title: "Dead-lettered by consumer and topic", unit: "ops",
					targets: q(`sum by (consumer, topic) (rate(todo_events_dead_lettered_total[$__rate_interval]))`, "{{consumer}} ← {{topic}}")},
			}},
		},
	}
}

func remindersNotifications() dash {
	return dash{
		name: "reminders-notifications", uid: "todo-reminders-notifications", title: "Todo / Reminders and notifications",
		description: "Reminders scheduled, fired and late; notification deliveries per channel; realtime WebSockets.",
		rows: []row{
			{"Reminders", []pnl{
				{kind: "ts", title: "Reminders scheduled, fired and late", unit: "ops",
					targets: []target{
						{`sum by (scheduler) (rate(todo_reminders_scheduled_total[$__rate_interval]))`, "scheduled ({{scheduler}})"},
						{`sum by (scheduler) (rate(todo_reminders_fired_total[$__rate_interval]))`, "fired ({{scheduler}})"},
						{`sum by (scheduler) (rate(todo_reminders_late_total[$__rate_interval]))`, "late ({{scheduler}})"},
					}},
				{kind: "ts", title: "Reminder lateness", unit: "s",
					description: "Fire time minus the reminder's time; more than 60 s is late.",
					targets: []target{
						{`histogram_quantile(0.5, sum by (scheduler, le) (rate(todo_reminder_lateness_seconds_bucket[$__rate_interval])))`, "p50 ({{scheduler}})"},
						{`histogram_quantile(0.99, sum by (scheduler, le) (rate(todo_reminder_lateness_seconds_bucket[$__rate_interval])))`, "p99 ({{scheduler}})"},
					}},
			}},
			{"Notifications", []pnl{
				{kind: "ts", title: "Delivered by channel", unit: "ops",
					targets: q(`sum by (channel) (rate(todo_notifications_delivered_total[$__rate_interval]))`, "{{channel}}")},
				{kind: "ts", title: "Failed attempts by channel", unit: "ops",
					targets: q(`sum by (channel) (rate(todo_notifications_failed_total[$__rate_interval]))`, "{{channel}}")},
				{kind: "stat", title: "Given up (1h)", unit: "none",
					description: "Deliveries dead-lettered after their last attempt over the last hour.",
					targets:     q(`sum(increase(todo_notifications_dead_lettered_total[1h]))`, "deliveries")},
				{kind: "stat", title: "Pending deliveries", unit: "none",
					targets: q(`sum(todo_notifications_pending)`, "pending")},
				{kind: "ts", title: "Delivered rows pruned", unit: "ops",
					targets: q(`sum(rate(todo_notifications_pruned_total[$__rate_interval]))`, "pruned")},
			}},
			{"Realtime", []pnl{
				{kind: "ts", title: "WebSocket connections", unit: "none",
					targets: q(`sum by (pod) (todo_ws_connections)`, "{{pod}}")},
				{kind: "ts", title: "WebSocket messages sent", unit: "ops",
					targets: q(`sum by (pod) (rate(todo_ws_messages_sent_total[$__rate_interval]))`, "{{pod}}")},
				{kind: "ts", title: "WebSocket closes by code", unit: "ops",
					targets: q(`sum by (code) (rate(todo_ws_closes_total[$__rate_interval]))`, "{{code}}")},
			}},
		},
	}
}

func assistant() dash {
	return dash{
		name: "assistant", uid: "todo-assistant", title: "Todo / Assistant",
		description: "Chat turns, their time, and LLM mode's model calls (docs/assistant-llm.md).",
		rows: []row{
			{"Turns", []pnl{
				{kind: "ts", title: "Chat turns by brain and outcome", unit: "ops",
					targets: q(`sum by (brain, outcome) (rate(todo_chat_turns_total[$__rate_interval]))`, "{{brain}} {{outcome}}")},
				{kind: "ts", title: "Turn time", unit: "s",
					targets: []target{
						{`histogram_quantile(0.5, sum by (brain, le) (rate(todo_chat_turn_seconds_bucket[$__rate_interval])))`, "p50 {{brain}}"},
						{`histogram_quantile(0.99, sum by (brain, le) (rate(todo_chat_turn_seconds_bucket[$__rate_interval])))`, "p99 {{brain}}"},
					}},
			}},
			{"LLM mode", []pnl{
				{kind: "ts", title: "Model calls by outcome", unit: "ops", requires: "llm",
					description: "Only where LLM mode is configured.",
					targets:     q(`sum by (outcome) (rate(todo_llm_calls_total[$__rate_interval]))`, "{{outcome}}")},
				{kind: "ts", title: "LLM turns by who answered", unit: "ops", requires: "llm",
					targets: q(`sum by (answered_by) (rate(todo_llm_turns_total[$__rate_interval]))`, "{{answered_by}}")},
			}},
		},
	}
}

func dapr() dash {
	const d = `job="todo-dapr"`
	return dash{
		name: "dapr", uid: "todo-dapr", title: "Todo / Dapr sidecars",
		description: "daprd's own metrics (port dapr-metrics): its HTTP API, pub/sub in and out, the sidecar process.",
		rows: []row{
			{"Sidecar API", []pnl{
				{kind: "ts", title: "Sidecar HTTP requests by app", unit: "reqps",
					targets: q(`sum by (app_id) (rate(dapr_http_server_request_count[$__rate_interval]))`, "{{app_id}}")},
				{kind: "ts", title: "Sidecar HTTP latency p99 by app", unit: "ms",
					targets: q(`histogram_quantile(0.99, sum by (app_id, le) (rate(dapr_http_server_latency_bucket[$__rate_interval])))`, "{{app_id}}")},
			}},
			{"Pub/sub", []pnl{
				{kind: "ts", title: "Published by app and topic", unit: "ops",
					targets: q(`sum by (app_id, topic, success) (rate(dapr_component_pubsub_egress_count[$__rate_interval]))`, "{{app_id}} → {{topic}} ({{success}})")},
				{kind: "ts", title: "Delivered to the app by topic", unit: "ops",
					targets: q(`sum by (app_id, topic, process_status) (rate(dapr_component_pubsub_ingress_count[$__rate_interval]))`, "{{app_id}} ← {{topic}} ({{process_status}})")},
				{kind: "ts", title: "App handling time p99", unit: "ms",
					targets: q(`histogram_quantile(0.99, sum by (app_id, le) (rate(dapr_component_pubsub_ingress_latencies_bucket[$__rate_interval])))`, "{{app_id}}")},
			}},
			{"Sidecar process", []pnl{
				{kind: "ts", title: "Sidecar resident memory", unit: "bytes",
					targets: q(`sum by (pod) (process_resident_memory_bytes{`+d+`})`, "{{pod}}")},
				{kind: "ts", title: "Sidecar CPU", unit: "percentunit",
					targets: q(`sum by (pod) (rate(process_cpu_seconds_total{`+d+`}[$__rate_interval]))`, "{{pod}}")},
				{kind: "ts", title: "Sidecar goroutines", unit: "none",
					targets: q(`sum by (pod) (go_goroutines{`+d+`})`, "{{pod}}")},
			}},
		},
	}
}

func kafkaPostgres() dash {
	return dash{
		name: "kafka-postgres", uid: "todo-kafka-postgres", title: "Todo / Kafka and PostgreSQL",
		description: "The broker (Prometheus JMX exporter agent, deploy/monitoring/exporters/kafka-jmx.yaml) and the database (prometheus-postgres-exporter).",
		rows: []row{
			{"Kafka", []pnl{
				{kind: "ts", title: "Messages in by topic", unit: "ops", requires: "kafka-exporter",
					targets: q(`sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesin_total{topic!=""}[$__rate_interval]))`, "{{topic}}")},
				{kind: "ts", title: "Bytes in and out", unit: "Bps", requires: "kafka-exporter",
					description: "The broker's totals (the series without a topic label; the per-topic ones would count twice).",
					targets: []target{
						{`sum(rate(kafka_server_brokertopicmetrics_bytesin_total{topic=""}[$__rate_interval]))`, "in"},
						{`sum(rate(kafka_server_brokertopicmetrics_bytesout_total{topic=""}[$__rate_interval]))`, "out"},
					}},
				{kind: "stat", title: "Under-replicated partitions", unit: "none", requires: "kafka-exporter",
					targets: q(`sum(kafka_server_replicamanager_underreplicatedpartitions)`, "partitions")},
				{kind: "stat", title: "Offline partitions", unit: "none", requires: "kafka-exporter",
					targets: q(`sum(kafka_controller_kafkacontroller_offlinepartitionscount)`, "partitions")},
			}},
			{"PostgreSQL", []pnl{
				{kind: "stat", title: "PostgreSQL up", unit: "none", requires: "postgres-exporter",
					targets: q(`min(pg_up)`, "up")},
				{kind: "ts", title: "Connections by database", unit: "none", requires: "postgres-exporter",
					targets: []target{
						{`sum by (datname) (pg_stat_database_numbackends{datname!~"template.*"})`, "{{datname}}"},
						{`max(pg_settings_max_connections)`, "max_connections"},
					}},
				{kind: "ts", title: "Transactions", unit: "ops", requires: "postgres-exporter",
					targets: []target{
						{`sum by (datname) (rate(pg_stat_database_xact_commit{datname!~"template.*"}[$__rate_interval]))`, "commit {{datname}}"},
						{`sum by (datname) (rate(pg_stat_database_xact_rollback{datname!~"template.*"}[$__rate_interval]))`, "rollback {{datname}}"},
					}},
				{kind: "ts", title: "Database size", unit: "bytes", requires: "postgres-exporter",
					targets: q(`sum by (datname) (pg_database_size_bytes{datname!~"template.*"})`, "{{datname}}")},
				{kind: "ts", title: "Cache hit ratio", unit: "percentunit", requires: "postgres-exporter",
					targets: q(`sum by (datname) (rate(pg_stat_database_blks_hit{datname!~"template.*"}[$__rate_interval])) / (sum by (datname) (rate(pg_stat_database_blks_hit{datname!~"template.*"}[$__rate_interval])) + sum by (datname) (rate(pg_stat_database_blks_read{datname!~"template.*"}[$__rate_interval])))`, "{{datname}}")},
				{kind: "ts", title: "Deadlocks", unit: "ops", requires: "postgres-exporter",
					targets: q(`sum by (datname) (rate(pg_stat_database_deadlocks{datname!~"template.*"}[$__rate_interval]))`, "{{datname}}")},
			}},
		},
	}
}
