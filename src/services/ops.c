/* ops.c - /healthz (the process is alive), /readyz (it can do its work: the database
 * answers and the bus is reachable; 503 otherwise) and /metrics (Prometheus text). */
#include "services/ops.h"
#include "app/chat.h"
#include "base/buf.h"

#include <stdlib.h>

#ifndef TODO_VERSION
#define TODO_VERSION "dev"
#endif

static void h_healthz(struct http_request *req, void *ctx)
{
    (void)ctx;
    static const char ok[] = "{\"status\":\"ok\"}";
    http_respond_data(req, 200, "application/json", ok, sizeof ok - 1);
}

static void h_readyz(struct http_request *req, void *ctx)
{
    struct ops_service *ops = ctx;
    bool db = store_ping(ops->store) == TODO_OK;
    bool bus = !ops->bus || bus_healthy(ops->bus);
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"status\":\"%s\",\"checks\":{\"database\":\"%s\"",
               db && bus ? "ok" : "unavailable", db ? "ok" : "unreachable");
    if (ops->bus)
        buf_printf(&b, ",\"bus\":\"%s\"", bus ? "ok" : "unreachable");
    buf_puts(&b, "}}");
    size_t len = b.len;
    http_respond_take(req, db && bus ? 200 : 503, "application/json", buf_take(&b), len);
}

static void h_metrics(struct http_request *req, void *ctx)
{
    struct ops_service *ops = ctx;
    struct buf b;
    buf_init(&b);
    http_server_metrics(ops->server, &b);
    buf_printf(&b,
               "# HELP todo_build_info Build information.\n"
               "# TYPE todo_build_info gauge\n"
               "todo_build_info{version=\"%s\",store=\"%s\",bus=\"%s\"} 1\n",
               TODO_VERSION, store_backend_name(ops->store),
               ops->bus ? bus_name(ops->bus) : "none");
    struct store_write_stats ws;
    store_write_stats(ops->store, &ws);
    buf_printf(&b,
               "# HELP todo_write_batches_total Group-commit transactions (ADR 0022).\n"
               "# TYPE todo_write_batches_total counter\n"
               "todo_write_batches_total %llu\n"
               "# HELP todo_write_items_total Writes committed in those transactions.\n"
               "# TYPE todo_write_items_total counter\n"
               "todo_write_items_total %llu\n"
               "# HELP todo_write_queued Writes waiting for a group-commit transaction now.\n"
               "# TYPE todo_write_queued gauge\n"
               "todo_write_queued %llu\n",
               (unsigned long long)ws.batches, (unsigned long long)ws.items,
               (unsigned long long)ws.queued);
    store_metrics(ops->store, &b);
    if (ops->relay)
        outbox_relay_metrics(ops->relay, &b);
    consumer_metrics(ops->consumers, ops->n_consumers, &b);
    retention_metrics(ops->retention, &b);
    sched_metrics(ops->sched, &b);
    notify_metrics(ops->notify, &b);
    assistant_llm_metrics(ops->llm, &b);
    app_chat_metrics(ops->chat, &b);
    if (ops->extra_metrics)
        ops->extra_metrics(ops->extra_metrics_ctx, &b);
    size_t len = b.len;
    http_respond_take(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf_take(&b), len);
}

void ops_routes_register(struct ops_service *ops)
{
    http_route_add(ops->server, "GET", "/healthz", h_healthz, ops);
    http_route_add(ops->server, "GET", "/readyz", h_readyz, ops);
    http_route_add(ops->server, "GET", "/metrics", h_metrics, ops);
}
