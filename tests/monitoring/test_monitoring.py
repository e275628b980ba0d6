"""make test-monitoring: the checks of monitoring_checks.py on the committed deploy/monitoring,
and each shown to fail on a copy that breaks what it checks (docs/deploy/monitoring.md)."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import monitoring_checks as mc

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MON = os.path.join(ROOT, "deploy", "monitoring")
RULES = os.path.join(MON, "rules")
RULE_TESTS = os.path.join(MON, "rules-tests")
QUERIES = os.path.join(MON, "queries.json")
OPS = os.path.join(ROOT, "docs", "operations.md")
SCRAPE = os.path.join(MON, "scrape", "prometheus.yaml")


def generate(rules_dir, out):
    """Runs the dashboards generator (tools/dashboards; Go caches its build)."""
    subprocess.run(["go", "run", "-mod=readonly", ".", "-rules", rules_dir, "-out", out],
                   cwd=os.path.join(ROOT, "tools", "dashboards"), check=True)


class Broken(unittest.TestCase):
    """A copy of deploy/monitoring and docs/operations.md to break."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test-monitoring-")
        self.mon = os.path.join(self.tmp, "monitoring")
        shutil.copytree(MON, self.mon)
        self.ops = os.path.join(self.tmp, "operations.md")
        shutil.copy(OPS, self.ops)
        self.rules = os.path.join(self.mon, "rules")
        self.tests = os.path.join(self.mon, "rules-tests")
        self.queries = os.path.join(self.mon, "queries.json")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def edit(self, path, old, new):
        with open(path) as fh:
            text = fh.read()
        self.assertIn(old, text, f"{path} no longer holds the text the test breaks")
        with open(path, "w") as fh:
            fh.write(text.replace(old, new, 1))


class TestMonitoring(Broken):
    def test_rules_valid(self):
        self.assertEqual(mc.promtool_check_rules(RULES), [])
        self.edit(os.path.join(self.rules, "events.yaml"),
                  "max by (namespace, consumer, topic) (todo_consumer_lag_seconds) > 60",
                  "max by (namespace, consumer) (todo_consumer_lag_seconds > 60")
        self.assertNotEqual(mc.promtool_check_rules(self.rules), [])

    def test_rule_unit_tests_pass(self):
        self.assertEqual(mc.promtool_test_rules(RULE_TESTS), [])
        # an alert that no longer fires where it should
        self.edit(os.path.join(self.rules, "events.yaml"),
                  "(todo_consumer_lag_seconds) > 60", "(todo_consumer_lag_seconds) > 600")
        self.assertNotEqual(mc.promtool_test_rules(self.tests), [])

    def test_rule_unit_tests_catch_a_noisy_alert(self):
        # an alert that fires where it should stay silent
        self.edit(os.path.join(self.rules, "reminders-notifications.yaml"),
                  "(increase(todo_reminders_fired_total[15m])) > 0.1",
                  "(increase(todo_reminders_fired_total[15m])) > 0.001")
        self.assertNotEqual(mc.promtool_test_rules(self.tests), [])

    def test_alerts_complete(self):
        self.assertEqual(mc.alerts_complete(RULES, OPS), [])
        self.edit(os.path.join(self.rules, "platform.yaml"),
                  "runbook_url: docs/operations.md#todotargetdown",
                  "runbook_url: docs/operations.md#targetdown")
        self.assertNotEqual(mc.alerts_complete(self.rules, OPS), [])

    def test_alerts_need_a_runbook_section(self):
        self.edit(self.ops, "### TodoConsumerLagHigh\n", "### Consumer lag\n")
        self.assertEqual(mc.alerts_complete(RULES, self.ops),
                         ["TodoConsumerLagHigh: no '### TodoConsumerLagHigh' under "
                          "'## Runbooks' in docs/operations.md"])

    def test_alerts_need_a_severity(self):
        self.edit(os.path.join(self.rules, "events.yaml"), "severity: critical", "severity: page")
        self.assertEqual(len(mc.alerts_complete(self.rules, OPS)), 1)

    def test_alerts_tested_both_ways(self):
        self.assertEqual(mc.alerts_tested(RULES, RULE_TESTS), [])
        path = os.path.join(self.tests, "platform.yaml")
        self.edit(path, "      - eval_time: 5m\n        alertname: TodoTargetDown\n"
                        "        exp_alerts: []\n", "")
        self.assertEqual(mc.alerts_tested(RULES, self.tests),
                         ["TodoTargetDown: no promtool case where it stays silent "
                          "(exp_alerts: [])"])

    def test_metric_names_in_catalogue(self):
        self.assertEqual(mc.names_known(QUERIES, RULES, OPS), [])
        self.edit(self.queries, "todo_outbox_oldest_age_seconds", "todo_outbox_oldest_age_second")
        problems = mc.names_known(self.queries, RULES, OPS)
        self.assertTrue(problems and all("todo_outbox_oldest_age_second " in p for p in problems),
                        problems)

    def test_metric_names_of_recording_rules_in_catalogue(self):
        self.edit(os.path.join(self.rules, "slo.yaml"), "todo_http_request_duration_seconds_count",
                  "todo_http_request_duration_count")
        self.assertEqual(len(mc.names_known(QUERIES, self.rules, OPS)), 1)

    def test_metric_names_parser(self):
        self.assertEqual(
            mc.metric_names('histogram_quantile(0.99, sum by (route, le) (rate('
                            'todo_http_request_duration_seconds_bucket{route!~"a|b"}[5m]))) '
                            'and on (pod) up{job="x"} > 0 or vector(1) / todo:x:ratio_rate5m'),
            {"todo_http_request_duration_seconds_bucket", "up", "todo:x:ratio_rate5m"})

    def test_queries_parse(self):
        self.assertEqual(mc.queries_parse(QUERIES), [])
        self.edit(self.queries, "sum by (topic) (rate(todo_events_published_total[5m]))",
                  "sum by (topic) (rate(todo_events_published_total[5m])")
        self.assertNotEqual(mc.queries_parse(self.queries), [])

    def test_queries_list_every_alert(self):
        self.assertEqual(mc.alerts_listed(QUERIES, RULES), [])
        with open(self.queries) as fh:
            text = fh.read()
        with open(self.queries, "w") as fh:
            fh.write(re.sub(r'"alert:TodoRemindersLate"', '"alert:Other"', text))
        self.assertEqual(mc.alerts_listed(self.queries, RULES),
                         ["TodoRemindersLate: not in queries.json"])

    def test_queries_drop_thresholds(self):
        with open(QUERIES) as fh:
            qs = {q["source"]: q["expr"] for q in json.load(fh)}
        self.assertEqual(qs["alert:TodoConsumerLagHigh"],
                         "max by (namespace, consumer, topic) (todo_consumer_lag_seconds)")
        self.assertEqual(qs["alert:TodoApiErrorBudgetBurnFast"],
                         "todo:api_errors:ratio_rate1h and todo:api_errors:ratio_rate5m")
        for source, expr in qs.items():
            self.assertNotIn("$__", expr, source)

    def test_dashboards_regenerate_identically(self):
        out = os.path.join(self.tmp, "generated")
        generate(RULES, out)
        self.assertEqual(mc.same_tree(out, MON), [])
        self.edit(os.path.join(self.mon, "dashboards", "events.json"),
                  "Consumer lag", "Consumer lags")
        self.assertEqual(mc.same_tree(out, self.mon),
                         ["dashboards/events.json: differs from the generator's output "
                          "(run make dashboards)"])
        # a rule changed without regenerating: queries.json is stale
        self.edit(os.path.join(self.rules, "events.yaml"),
                  "max by (namespace, consumer, topic) (todo_consumer_lag_seconds)",
                  "max by (consumer) (todo_consumer_lag_seconds)")
        shutil.rmtree(out)
        generate(self.rules, out)
        self.assertIn("queries.json: differs from the generator's output (run make dashboards)",
                      mc.same_tree(out, MON))

    def test_scrape_config(self):
        self.assertEqual(mc.scrape_config(SCRAPE, RULES), [])
        path = os.path.join(self.mon, "scrape", "prometheus.yaml")
        self.edit(path, "action: keep", "action: kept")
        self.assertNotEqual(mc.scrape_config(path, RULES), [])
        self.edit(path, "job_name: todo-dapr", "job_name: dapr")
        self.assertIn("scrape config: no job todo-dapr", mc.scrape_config(path, RULES))


if __name__ == "__main__":
    unittest.main()
