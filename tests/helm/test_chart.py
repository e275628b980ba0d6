"""The Todo chart's manifests, rendered with `helm template` for every values file, checked
against what issue 13 requires (chart_checks.py); and each check shown to fail when its
requirement is broken. Run by scripts/test-helm.sh (make test-helm) with HELM set to the helm
binary; the repository root is two levels up."""

import copy
import os
import pathlib
import re
import subprocess
import unittest

import yaml

import chart_checks as cc

REPO = pathlib.Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "todo"
HELM = os.environ.get("HELM", "helm")
VALUES = sorted(p.name for p in CHART.glob("values-*.yaml"))
LOCAL = {"values-local.yaml", "values-minikube.yaml"}  # the chart creates the Secret
CLOUD = {"values-aks.yaml", "values-gke.yaml", "values-oke.yaml"}
# The Always-Free OKE shape is 4 OCPUs and 24 GB in all; the release may request at most this
# much at the HPA's maximum, leaving the rest to the Dapr control plane, ingress-nginx,
# cert-manager, kube-system and the kubelet's reservations.
OKE_BUDGET_CPU_M, OKE_BUDGET_MEM_MIB = 2500, 12 * 1024


def operations_md():
    return (REPO / "docs" / "operations.md").read_text()

_rendered = {}


def render(values_file, *extra):
    key = (values_file,) + extra
    if key not in _rendered:
        args = [HELM, "template", "todo", str(CHART), "--namespace", "todo"]
        if values_file:
            args += ["-f", str(CHART / values_file)]
        for e in extra:
            args += ["--set", e]
        out = subprocess.run(args, capture_output=True, text=True)
        if out.returncode != 0:
            raise AssertionError(f"helm template {values_file} {extra}: {out.stderr}")
        _rendered[key] = [d for d in yaml.safe_load_all(out.stdout) if d]
    return copy.deepcopy(_rendered[key])


def all_checks(docs, values_file):
    front = "web" if cc.role_deployments(docs).get("web") else "api"
    values = yaml.safe_load((CHART / values_file).read_text()) or {}
    migrations = (values.get("migrations") or {}).get("enabled", True)
    hpa = ((values.get("roles") or {}).get("api") or {}).get("hpa", {}).get("enabled", True)
    out = []
    out += cc.check_security(docs)
    out += cc.check_resources(docs)
    out += cc.check_probes(docs)
    out += cc.check_dapr_annotations(docs)
    out += cc.check_role_env(docs)
    out += cc.check_service_accounts(docs)
    out += cc.check_disruption_and_scaling(docs, hpa)
    out += cc.check_network_policies(docs)
    out += cc.check_role_network_paths(docs)
    out += cc.check_migration_job(docs, migrations)
    out += cc.check_dapr_resources(docs)
    out += cc.check_secret_store_rbac(docs)
    out += cc.check_ingress(docs, front)
    out += cc.check_env_documented(docs, operations_md())
    if values_file not in LOCAL:
        out += cc.check_no_secret_data(docs)
    return out


class EveryValuesFile(unittest.TestCase):
    def test_there_is_a_values_file_per_environment(self):
        self.assertEqual(
            set(VALUES),
            {"values-local.yaml", "values-minikube.yaml", "values-aks.yaml", "values-gke.yaml",
             "values-oke.yaml"})

    def test_each_renders_and_passes_every_check(self):
        for f in VALUES:
            with self.subTest(values=f):
                docs = render(f)
                self.assertEqual(all_checks(docs, f), [])
                self.assertEqual(set(cc.role_deployments(docs)), set(cc.ROLES))

    def test_front_door_off_routes_everything_but_ws_to_the_api(self):
        docs = render("values-local.yaml", "roles.web.enabled=false")
        self.assertNotIn("web", cc.role_deployments(docs))
        self.assertEqual(all_checks(docs, "values-local.yaml"), [])
        self.assertNotEqual(cc.check_ingress(docs, "web"), [])

    def test_no_values_file_holds_a_secret(self):
        keys = ("databaseUrl", "jwtSecret", "smtpPassword", "llmApiKey", "appApiToken")
        for f in VALUES:
            with self.subTest(values=f):
                v = yaml.safe_load((CHART / f).read_text()) or {}
                s = v.get("secrets") or {}
                self.assertEqual([k for k in keys if s.get(k)], [])
                pg = ((v.get("postgresql") or {}).get("internal") or {})
                self.assertFalse(pg.get("password"))
                self.assertNotRegex((CHART / f).read_text(), r"(?i)password:\s*\S+[^\"]")
                if f in CLOUD:
                    self.assertIs(s.get("create"), False, "a cloud values file creates the Secret")

    def test_cloud_values_use_the_dapr_scheduler_and_managed_services(self):
        for f in CLOUD:
            with self.subTest(values=f):
                docs = render(f)
                self.assertEqual(cc.of_kind(docs, "StatefulSet"), [])
                api = cc.role_deployments(docs)["api"]
                env = cc.env_of(cc.pod_spec(api)["containers"][0])
                self.assertEqual(env["TODO_SCHEDULER"]["value"], "dapr")
                meta = {m["name"]: m for m in next(
                    c for c in cc.of_kind(docs, "Component")
                    if c["metadata"]["name"] == "pubsub")["spec"]["metadata"]}
                self.assertEqual(meta["authType"]["value"], "password")
                self.assertEqual(meta["disableTls"]["value"], "false")
                self.assertIn("secretKeyRef", meta["saslPassword"])

    def test_external_secrets_fill_the_secret_in_the_cloud(self):
        docs = render("values-gke.yaml", "secrets.externalSecret.enabled=true",
                      "secrets.externalSecret.secretStoreRef.name=gcp",
                      "secrets.externalSecret.remoteKeys.database-url=todo-db",
                      "secrets.externalSecret.remoteKeys.jwt-secret=todo-jwt")
        es = cc.of_kind(docs, "ExternalSecret")
        self.assertEqual(len(es), 1)
        self.assertEqual(es[0]["spec"]["target"]["name"], cc.SECRET)
        self.assertEqual({d["secretKey"] for d in es[0]["spec"]["data"]},
                         {"database-url", "jwt-secret"})
        self.assertEqual(all_checks(docs, "values-gke.yaml"), [])

    def test_local_values_fit_the_test_cluster(self):
        docs = render("values-local.yaml")
        for d in docs:
            if d.get("kind") in cc.WORKLOADS:
                for c in cc.containers(d):
                    self.assertTrue(c["image"].startswith("localhost/"), c["image"])
                    self.assertEqual(c["imagePullPolicy"], "IfNotPresent")
        api = cc.role_deployments(docs)["api"]
        env = cc.env_of(cc.pod_spec(api)["containers"][0])
        self.assertEqual(env["TODO_SCHEDULER"]["value"], "db")
        kinds = {(d["kind"], cc.component(d)) for d in docs}
        self.assertIn(("StatefulSet", "postgresql"), kinds)
        self.assertIn(("StatefulSet", "kafka"), kinds)
        self.assertIn(("Job", "kafka-topics"), kinds)
        secret = cc.of_kind(docs, "Secret")[0]
        self.assertEqual(secret["metadata"]["name"], cc.SECRET)
        self.assertEqual(set(secret["stringData"]),
                         {"database-url", "jwt-secret", "token", "postgres-password"})

    def test_topics_job_creates_every_topic_and_its_dead_letters(self):
        job = next(d for d in render("values-local.yaml")
                   if d["kind"] == "Job" and cc.component(d) == "kafka-topics")
        args = cc.pod_spec(job)["containers"][0]["args"]
        names = {a.split(":")[0] for a in args[2:]}
        self.assertEqual(names, {"task-events", "reminders", "task-updates", "task-events.dlq",
                                 "reminders.dlq", "task-updates.dlq"})

    def test_strimzi_resources(self):
        docs = render("values-minikube.yaml")
        kafka = cc.of_kind(docs, "Kafka")[0]
        self.assertEqual(kafka["metadata"]["annotations"]["strimzi.io/kraft"], "enabled")
        pools = cc.of_kind(docs, "KafkaNodePool")
        self.assertEqual(pools[0]["spec"]["roles"], ["controller", "broker"])
        topics = {t["metadata"]["name"] for t in cc.of_kind(docs, "KafkaTopic")}
        self.assertEqual(len(topics), 6)

    def test_oke_fits_the_always_free_shape(self):
        cpu, mem = cc.release_requests(render("values-oke.yaml"))
        self.assertLessEqual(cpu, OKE_BUDGET_CPU_M)
        self.assertLessEqual(mem, OKE_BUDGET_MEM_MIB)

    def test_a_typo_in_values_fails_lint(self):
        out = subprocess.run([HELM, "lint", "--strict", str(CHART), "-f",
                              str(CHART / "values-local.yaml"), "--set", "roles.api.replica=3"],
                             capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("replica", out.stdout + out.stderr)


class ChecksFailWhenBroken(unittest.TestCase):
    """Each requirement, broken in a rendered manifest, is reported."""

    def setUp(self):
        self.docs = render("values-local.yaml")
        self.assertEqual(all_checks(self.docs, "values-local.yaml"), [])

    def role(self, name):
        return cc.role_deployments(self.docs)[name]

    def broken(self, pattern):
        found = all_checks(self.docs, "values-local.yaml")
        self.assertTrue(any(re.search(pattern, v) for v in found), found)

    def test_security_context(self):
        for key, value in (("readOnlyRootFilesystem", False), ("allowPrivilegeEscalation", True),
                           ("capabilities", {"drop": []})):
            with self.subTest(key=key):
                self.setUp()
                cc.pod_spec(self.role("audit"))["containers"][0]["securityContext"][key] = value
                self.broken(r"todo-audit container todo: ")
        self.setUp()
        job = next(d for d in self.docs if d["kind"] == "Job" and cc.component(d) == "migrate")
        del cc.pod_spec(job)["containers"][0]["securityContext"]
        self.broken(r"todo-migrate container migrate: readOnlyRootFilesystem")

    def test_uid_on_the_app_container_not_the_pod(self):
        # a pod-wide uid reaches the injected daprd, which then refuses to start (it must run
        # as its image's 65532): the first install on the test cluster failed so
        cc.pod_spec(self.role("api"))["securityContext"]["runAsUser"] = 10001
        self.broken(r"todo-api: a pod-wide uid")

    def test_probes_and_resources(self):
        c = cc.pod_spec(self.role("notify"))["containers"][0]
        del c["readinessProbe"]
        del c["resources"]["limits"]
        self.broken(r"todo-notify container todo: no readinessProbe")
        self.broken(r"todo-notify container todo: no limits.cpu")

    def test_dapr_annotations(self):
        ann = self.role("recurring")["spec"]["template"]["metadata"]["annotations"]
        del ann["dapr.io/app-token-secret"]
        ann["dapr.io/app-id"] = "recurring"
        self.broken(r"todo-recurring: dapr.io/app-token-secret")
        self.broken(r"todo-recurring: app id 'recurring'")
        self.role("web")["spec"]["template"]["metadata"]["annotations"]["dapr.io/app-port"] = "8081"
        self.broken(r"todo-web: dapr.io/app-port set, but the role has no callback listener")

    def test_network_policy_per_role(self):
        self.docs = [d for d in self.docs if not (
            d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "todo-realtime")]
        self.broken(r"Deployment/todo-realtime: no NetworkPolicy")
        self.docs = [d for d in self.docs if not (
            d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "todo-default-deny")]
        self.broken(r"no default-deny")

    def test_network_paths(self):
        np = next(n for n in cc.of_kind(self.docs, "NetworkPolicy")
                  if n["metadata"]["name"] == "todo-recurring")
        np["spec"]["egress"] = [r for r in np["spec"]["egress"] if 5432 not in cc._ports(r)]
        self.broken(r"todo-recurring: no way to PostgreSQL")
        web = next(n for n in cc.of_kind(self.docs, "NetworkPolicy")
                   if n["metadata"]["name"] == "todo-web")
        web["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                                      "ports": [{"port": 5432, "protocol": "TCP"}]})
        self.broken(r"todo-web: the front door may reach PostgreSQL or Kafka")
        api = next(n for n in cc.of_kind(self.docs, "NetworkPolicy")
                   if n["metadata"]["name"] == "todo-api")
        api["spec"]["ingress"] = []
        self.broken(r"the front door's sidecar may not reach it")

    def test_migration_job_is_a_hook(self):
        job = next(d for d in self.docs if d["kind"] == "Job" and cc.component(d) == "migrate")
        del job["metadata"]["annotations"]["helm.sh/hook"]
        job["spec"]["template"]["metadata"]["annotations"]["dapr.io/enabled"] = "true"
        self.broken(r"todo-migrate: helm.sh/hook")
        self.broken(r"todo-migrate: may get a sidecar")

    def test_secret_data_outside_local_values(self):
        self.assertEqual(cc.check_no_secret_data(render("values-aks.yaml")), [])
        self.assertNotEqual(cc.check_no_secret_data(self.docs), [])

    def test_secrets_only_by_reference(self):
        c = cc.pod_spec(self.role("api"))["containers"][0]
        c["env"].append({"name": "TODO_JWT_SECRET", "value": "x" * 40})
        self.broken(r"todo-api: TODO_JWT_SECRET is set")

    def test_undocumented_env(self):
        c = cc.pod_spec(self.role("api"))["containers"][0]
        c["env"].append({"name": "TODO_NO_SUCH_SETTING", "value": "1"})
        self.broken(r"TODO_NO_SUCH_SETTING is set by the chart but not in docs/operations.md")

    def test_pdb_and_hpa(self):
        self.docs = [d for d in self.docs if d["kind"] != "PodDisruptionBudget"]
        self.broken(r"todo-api: 2 replicas and no PodDisruptionBudget")
        docs = render("values-aks.yaml")
        docs = [d for d in docs if d["kind"] != "HorizontalPodAutoscaler"]
        self.assertIn("the api has no HorizontalPodAutoscaler",
                      cc.check_disruption_and_scaling(docs, True))

    def test_component_scopes(self):
        comp = next(c for c in cc.of_kind(self.docs, "Component")
                    if c["metadata"]["name"] == "statestore")
        comp["scopes"].append("todo-audit")
        self.broken(r"statestore: visible to more than the api")
        comp["scopes"] = []
        self.broken(r"statestore: not scoped")

    def test_sidecar_sees_its_app_leave_quickly(self):
        ann = self.role("audit")["spec"]["template"]["metadata"]["annotations"]
        del ann["dapr.io/app-health-probe-interval"]
        self.broken(r"todo-audit: the sidecar does not probe its app every second")

    def test_invocation_never_retries_a_500(self):
        res = cc.of_kind(self.docs, "Resiliency")[0]
        for retry in res["spec"]["policies"]["retries"].values():
            retry.pop("matching", None)
        self.broken(r"invoking the api retries answers other than 502-504 \(every 5xx\)")

    def test_subscriptions_one_way(self):
        self.docs.append({"apiVersion": "dapr.io/v2alpha1", "kind": "Subscription",
                          "metadata": {"name": "x"}, "spec": {}})
        self.broken(r"Subscription resources rendered")

    def test_rbac_narrow(self):
        role = cc.of_kind(self.docs, "Role")[0]
        role["rules"][0]["verbs"] = ["get", "list"]
        self.broken(r"more than get on todo-secrets")

    def test_rollout_and_token(self):
        d = self.role("web")
        d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = 1
        cc.pod_spec(d)["automountServiceAccountToken"] = True
        self.broken(r"todo-web: rolling update maxUnavailable")
        self.broken(r"todo-web: the app container may get an API token")

    def test_oke_budget_counts_sidecars(self):
        docs = render("values-oke.yaml")
        cpu, _ = cc.release_requests(docs)
        api = cc.role_deployments(docs)["api"]
        api["spec"]["template"]["metadata"]["annotations"]["dapr.io/sidecar-cpu-request"] = "2"
        self.assertGreater(cc.release_requests(docs)[0], OKE_BUDGET_CPU_M)
        self.assertLess(cpu, cc.release_requests(docs)[0])


class Monitoring(unittest.TestCase):
    """monitoring.enabled (docs/deploy/monitoring.md): the PrometheusRule holds exactly the
    rule files of deploy/monitoring/rules, the ServiceMonitor scrapes every enabled role's
    metrics Service on both ports, the dashboards become ConfigMaps; off: none of them."""

    # values-local.yaml turns only the exporters on (no Prometheus Operator in the test cluster)
    ON = ("monitoring.enabled=true", "monitoring.runbookBaseUrl=https://example.org/todo/",
          "monitoring.serviceMonitor.enabled=true", "monitoring.prometheusRule.enabled=true",
          "monitoring.dashboards.enabled=true")

    def test_off_by_default(self):
        for values_file in VALUES:
            kinds = {d["kind"] for d in render(values_file)}
            self.assertFalse(kinds & {"ServiceMonitor", "PrometheusRule"}, values_file)

    def test_rules_are_the_rule_files(self):
        docs = render("values-local.yaml", *self.ON)
        rule = cc.of_kind(docs, "PrometheusRule")[0]
        want = []
        for f in sorted((REPO / "deploy" / "monitoring" / "rules").glob("*.yaml")):
            want += yaml.safe_load(f.read_text())["groups"]
        for g in want:
            for r in g["rules"]:
                if "annotations" in r:
                    r["annotations"]["runbook_url"] = ("https://example.org/todo/"
                                                       + r["annotations"]["runbook_url"])
        self.assertEqual(rule["spec"]["groups"], want)

    def test_service_monitor_selects_every_role(self):
        docs = render("values-local.yaml", *self.ON)
        sm = cc.of_kind(docs, "ServiceMonitor")[0]
        services = {d["metadata"]["labels"]["app.kubernetes.io/component"]: d
                    for d in cc.of_kind(docs, "Service")
                    if d["metadata"]["name"].endswith("-metrics")}
        expr = sm["spec"]["selector"]["matchExpressions"][0]
        self.assertEqual(sorted(expr["values"]), sorted(services))
        ports = {p["name"] for s in services.values() for p in s["spec"]["ports"]}
        self.assertEqual({e["port"] for e in sm["spec"]["endpoints"]}, ports)
        jobs = {e["port"]: e["relabelings"][0]["replacement"] for e in sm["spec"]["endpoints"]}
        self.assertEqual(jobs, {"metrics": "todo", "dapr-metrics": "todo-dapr"})

    def test_dashboards_as_config_maps(self):
        docs = render("values-local.yaml", *self.ON)
        maps = [d for d in cc.of_kind(docs, "ConfigMap")
                if d["metadata"]["labels"].get("grafana_dashboard") == "1"]
        files = sorted(p.name for p in (REPO / "deploy" / "monitoring" / "dashboards").glob("*.json"))
        self.assertEqual(sorted(k for m in maps for k in m["data"]), files)

    def test_postgres_exporter(self):
        on = ("postgresql.internal.enabled=true", "monitoring.enabled=true",
              "monitoring.postgresExporter.enabled=true",
              "networkPolicy.metricsNamespaces={monitoring}")
        docs = render("values-local.yaml", *on)
        sts = next(d for d in cc.of_kind(docs, "StatefulSet") if cc.component(d) == "postgresql")
        exp = next(c for c in sts["spec"]["template"]["spec"]["containers"]
                   if c["name"] == "postgres-exporter")
        self.assertEqual(exp["ports"], [{"name": "metrics", "containerPort": 9187,
                                         "protocol": "TCP"}])
        self.assertEqual(all_checks(docs, "values-local.yaml"), [])
        np = next(n for n in cc.of_kind(docs, "NetworkPolicy")
                  if n["metadata"]["name"] == "todo-postgresql")
        self.assertIn([{"port": 9187, "protocol": "TCP"}],
                      [r["ports"] for r in np["spec"]["ingress"]])
        off = render("values-local.yaml", "postgresql.internal.enabled=true",
                     "monitoring.postgresExporter.enabled=false")
        sts = next(d for d in cc.of_kind(off, "StatefulSet") if cc.component(d) == "postgresql")
        self.assertEqual([c["name"] for c in sts["spec"]["template"]["spec"]["containers"]],
                         ["postgresql"])

    def test_kafka_exporter(self):
        """monitoring.kafkaExporter: the broker's JMX exporter agent on (its port in the
        environment), its port named metrics (job todo-kafka), Prometheus let in; off: none."""
        on = ("monitoring.enabled=true", "monitoring.kafkaExporter.enabled=true",
              "monitoring.kafkaExporter.port=9555", "networkPolicy.metricsNamespaces={monitoring}")
        docs = render("values-local.yaml", *on)
        sts = next(d for d in cc.of_kind(docs, "StatefulSet") if cc.component(d) == "kafka")
        broker = sts["spec"]["template"]["spec"]["containers"][0]
        self.assertIn({"name": "metrics", "containerPort": 9555, "protocol": "TCP"},
                      broker["ports"])
        self.assertIn({"name": "KAFKA_JMX_EXPORTER_PORT", "value": "9555"}, broker["env"])
        self.assertEqual(all_checks(docs, "values-local.yaml"), [])
        np = next(n for n in cc.of_kind(docs, "NetworkPolicy")
                  if n["metadata"]["name"] == "todo-kafka")
        self.assertIn([{"port": 9555, "protocol": "TCP"}],
                      [r["ports"] for r in np["spec"]["ingress"]])
        off = render("values-local.yaml", "monitoring.kafkaExporter.enabled=false")
        sts = next(d for d in cc.of_kind(off, "StatefulSet") if cc.component(d) == "kafka")
        broker = sts["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual([p["name"] for p in broker["ports"]], ["kafka"])
        self.assertNotIn("KAFKA_JMX_EXPORTER_PORT", [e["name"] for e in broker["env"]])

    def test_local_runs_the_exporters_without_the_operator(self):
        """The test cluster (values-local.yaml) runs both exporters for its own Prometheus and no
        Prometheus Operator kinds (docs/decisions/0056-exporters-in-the-cluster-tier.md)."""
        docs = render("values-local.yaml")
        self.assertFalse({d["kind"] for d in docs} & {"ServiceMonitor", "PrometheusRule"})
        pods = {cc.component(d): d["spec"]["template"]["spec"]["containers"]
                for d in cc.of_kind(docs, "StatefulSet")}
        self.assertIn("postgres-exporter", [c["name"] for c in pods["postgresql"]])
        self.assertIn("metrics", [p["name"] for p in pods["kafka"][0]["ports"]])

    def test_llm_egress_port_is_the_base_urls(self):
        """The api's egress to the LLM server allows the port of roles.api.llm.baseUrl (the
        test cluster's stand-in listens on a port of its own), 443 for https without one."""
        for url, port in (("http://10.244.0.1:18181/v1", 18181), ("https://llm.example/v1", 443),
                          ("http://llm.example/v1", 80)):
            docs = render("values-local.yaml", f"roles.api.llm.baseUrl={url}",
                          "roles.api.llm.model=m")
            np = next(n for n in cc.of_kind(docs, "NetworkPolicy")
                      if n["metadata"]["name"] == "todo-api")
            self.assertIn([{"port": port, "protocol": "TCP"}],
                          [r.get("ports") for r in np["spec"]["egress"]], url)

    def test_pods_part_of_todo(self):
        for d in cc.role_deployments(render("values-local.yaml")).values():
            labels = d["spec"]["template"]["metadata"]["labels"]
            self.assertEqual(labels.get("app.kubernetes.io/part-of"), "todo", cc.name_of(d))


if __name__ == "__main__":
    unittest.main()
