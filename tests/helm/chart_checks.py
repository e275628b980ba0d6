"""Checks of the Todo chart's rendered manifests (scripts/test-helm.sh runs them through
test_chart.py for every values file). Each check returns a list of violations, strings that
name the object and what is wrong; an empty list is a pass. What is checked is what issue 13
and docs/decisions/0047-helm-chart.md require of every manifest."""

import re

ROLES = {  # role -> Dapr app id (docs/deploy/README.md, the names every part agrees on)
    "api": "todo-api",
    "audit": "todo-audit",
    "recurring": "todo-recurring",
    "notify": "todo-notify",
    "realtime": "todo-realtime",
    "web": "todo-web",
}
SECRET = "todo-secrets"
WORKLOADS = ("Deployment", "StatefulSet", "Job")
DAPR_ANNOTATIONS = {
    "dapr.io/enabled": "true",
    "dapr.io/app-port": "8081",
    "dapr.io/app-protocol": "http",
    "dapr.io/app-token-secret": SECRET,
    "dapr.io/enable-metrics": "true",
    "dapr.io/config": "todo-dapr",
    "dapr.io/log-as-json": "true",
}
DAPR_PRESENT = (
    "dapr.io/metrics-port",
    "dapr.io/sidecar-cpu-request",
    "dapr.io/sidecar-cpu-limit",
    "dapr.io/sidecar-memory-request",
    "dapr.io/sidecar-memory-limit",
)


def name_of(doc):
    return f"{doc['kind']}/{doc['metadata']['name']}"


def of_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def component(doc):
    return doc["metadata"].get("labels", {}).get("app.kubernetes.io/component")


def pod_spec(doc):
    return doc["spec"]["template"]["spec"]


def pod_annotations(doc):
    return doc["spec"]["template"]["metadata"].get("annotations") or {}


def containers(doc):
    spec = pod_spec(doc)
    return list(spec.get("initContainers") or []) + list(spec.get("containers") or [])


def role_deployments(docs):
    """{role: Deployment} for the role Deployments (component label is a role)."""
    return {component(d): d for d in of_kind(docs, "Deployment") if component(d) in ROLES}


# -------------------------------------------------------------------------- per container
def check_security(docs):
    out = []
    for doc in docs:
        if doc.get("kind") not in WORKLOADS:
            continue
        pod = pod_spec(doc).get("securityContext") or {}
        for c in containers(doc):
            sc = c.get("securityContext") or {}
            where = f"{name_of(doc)} container {c['name']}"
            if not (sc.get("runAsNonRoot") or pod.get("runAsNonRoot")):
                out.append(f"{where}: runAsNonRoot is not true")
            if sc.get("readOnlyRootFilesystem") is not True:
                out.append(f"{where}: readOnlyRootFilesystem is not true")
            if sc.get("allowPrivilegeEscalation") is not False:
                out.append(f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                out.append(f"{where}: privileged")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                out.append(f"{where}: capabilities do not drop ALL")
            if (sc.get("capabilities") or {}).get("add"):
                out.append(f"{where}: adds capabilities")
            seccomp = (sc.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
            if seccomp != "RuntimeDefault":
                out.append(f"{where}: seccompProfile is not RuntimeDefault")
        if component(doc) in ROLES or component(doc) == "migrate":
            app = pod_spec(doc)["containers"][0].get("securityContext") or {}
            if app.get("runAsUser") != 10001:
                out.append(f"{name_of(doc)}: the app does not run as uid 10001")
            if pod.get("runAsUser") is not None:
                out.append(f"{name_of(doc)}: a pod-wide uid (the injected sidecar must keep "
                           "its own, 65532)")
    return out


def check_resources(docs):
    out = []
    for doc in docs:
        if doc.get("kind") not in WORKLOADS:
            continue
        for c in containers(doc):
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if not (res.get(part) or {}).get(what):
                        out.append(f"{name_of(doc)} container {c['name']}: no {part}.{what}")
    return out


def check_probes(docs):
    """Long-running containers have liveness and readiness probes; the roles' are /healthz and
    /readyz on the HTTP port (docs/operations.md#health-endpoints)."""
    out = []
    for doc in docs:
        if doc.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        for c in pod_spec(doc)["containers"]:
            for probe in ("livenessProbe", "readinessProbe"):
                if not c.get(probe):
                    out.append(f"{name_of(doc)} container {c['name']}: no {probe}")
        if component(doc) in ROLES:
            c = pod_spec(doc)["containers"][0]
            live = (c.get("livenessProbe") or {}).get("httpGet") or {}
            ready = (c.get("readinessProbe") or {}).get("httpGet") or {}
            if live.get("path") != "/healthz":
                out.append(f"{name_of(doc)}: liveness is not GET /healthz")
            if ready.get("path") != "/readyz":
                out.append(f"{name_of(doc)}: readiness is not GET /readyz")
    return out


# ------------------------------------------------------------------------------ per role
# The front door has no callback listener: its sidecar calls out only (docs/operations.md,
# "The web front door"), so it gets no app port, protocol, token or app health check.
NO_APP_CHANNEL = {"web": ("dapr.io/app-port", "dapr.io/app-protocol", "dapr.io/app-token-secret")}


def check_dapr_annotations(docs):
    out = []
    for doc in of_kind(docs, "Deployment"):
        ann = pod_annotations(doc)
        exempt = NO_APP_CHANNEL.get(component(doc), ())
        for key in exempt:
            if key in ann:
                out.append(f"{name_of(doc)}: {key} set, but the role has no callback listener")
        for key, want in DAPR_ANNOTATIONS.items():
            if key in exempt:
                continue
            if ann.get(key) != want:
                out.append(f"{name_of(doc)}: {key} is {ann.get(key)!r}, not {want!r}")
        for key in DAPR_PRESENT:
            if not ann.get(key):
                out.append(f"{name_of(doc)}: no {key}")
        role = component(doc)
        if role not in NO_APP_CHANNEL and (
                ann.get("dapr.io/enable-app-health-check") != "true"
                or int(ann.get("dapr.io/app-health-probe-interval", "5")) > 1
                or int(ann.get("dapr.io/app-health-threshold", "3")) > 2):
            # a sidecar slow to see its app leave keeps taking invocations it cannot serve
            # during a rolling update (docs/decisions/0047-helm-chart.md)
            out.append(f"{name_of(doc)}: the sidecar does not probe its app every second "
                       "with a threshold of at most 2")
        if role not in ROLES:
            out.append(f"{name_of(doc)}: a Deployment that is no role ({role!r})")
        elif ann.get("dapr.io/app-id") != ROLES[role]:
            out.append(f"{name_of(doc)}: app id {ann.get('dapr.io/app-id')!r}, not {ROLES[role]!r}")
    return out


def env_of(container):
    return {e["name"]: e for e in container.get("env") or []}


def check_role_env(docs):
    """The Dapr mode every role runs in, and secrets only by reference (never a value)."""
    out = []
    for role, doc in role_deployments(docs).items():
        c = pod_spec(doc)["containers"][0]
        env = env_of(c)
        where = name_of(doc)
        if c.get("args") != [role]:
            out.append(f"{where}: runs {c.get('args')!r}, not [{role!r}]")
        wanted = [("TODO_LISTEN", "0.0.0.0:8080")]
        if role not in NO_APP_CHANNEL:
            wanted += [("TODO_BUS", "dapr"), ("TODO_DAPR_APP_LISTEN", "127.0.0.1:8081")]
        for key, want in wanted:
            if (env.get(key) or {}).get("value") != want:
                out.append(f"{where}: {key} is not {want}")
        inst = ((env.get("TODO_INSTANCE_ID") or {}).get("valueFrom") or {}).get("fieldRef") or {}
        if inst.get("fieldPath") != "metadata.name":
            out.append(f"{where}: TODO_INSTANCE_ID is not the pod's name")
        token = ((env.get("APP_API_TOKEN") or {}).get("valueFrom") or {}).get("secretKeyRef")
        if role not in NO_APP_CHANNEL and (not token or token.get("name") != SECRET
                                           or token.get("key") != "token"):
            out.append(f"{where}: APP_API_TOKEN does not come from {SECRET}/token (the key "
                       "Dapr's injector gives the sidecar)")
        for key in ("TODO_DATABASE_URL", "TODO_JWT_SECRET", "TODO_SMTP_PASSWORD"):
            if key in env:
                out.append(f"{where}: {key} is set (secrets come through the Dapr secret store)")
        if role != "web" and (env.get("TODO_DAPR_SECRETS") or {}).get("value") != SECRET:
            out.append(f"{where}: TODO_DAPR_SECRETS is not {SECRET}")
        spec = pod_spec(doc)
        if spec.get("automountServiceAccountToken") is not False:
            out.append(f"{where}: the app container may get an API token")
        if spec.get("terminationGracePeriodSeconds", 30) < 30:
            out.append(f"{where}: terminationGracePeriodSeconds under 30 s (no room to drain)")
        ru = (doc["spec"].get("strategy") or {}).get("rollingUpdate") or {}
        if ru.get("maxUnavailable") != 0:
            out.append(f"{where}: rolling update maxUnavailable is not 0")
        mounts = {m["mountPath"] for m in c.get("volumeMounts") or []}
        data_dir = (env.get("TODO_DATA_DIR") or {}).get("value")
        if not data_dir or data_dir not in mounts or "/tmp" not in mounts:
            out.append(f"{where}: TODO_DATA_DIR and /tmp are not writable volumes")
    return out


def check_service_accounts(docs):
    out = []
    sas = {d["metadata"]["name"]: d for d in of_kind(docs, "ServiceAccount")}
    for role, doc in role_deployments(docs).items():
        sa = pod_spec(doc).get("serviceAccountName")
        if not sa or sa not in sas:
            out.append(f"{name_of(doc)}: no ServiceAccount of its own")
        elif sas[sa].get("automountServiceAccountToken") is not False:
            out.append(f"ServiceAccount/{sa}: automountServiceAccountToken is not false")
        if sum(1 for d in role_deployments(docs).values()
               if pod_spec(d).get("serviceAccountName") == sa) > 1:
            out.append(f"ServiceAccount/{sa}: shared by several roles")
    return out


def check_disruption_and_scaling(docs, hpa_expected):
    out = []
    pdbs = {(p["spec"]["selector"]["matchLabels"] or {}).get("app.kubernetes.io/component")
            for p in of_kind(docs, "PodDisruptionBudget")}
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(docs, "HorizontalPodAutoscaler")}
    for role, doc in role_deployments(docs).items():
        name = doc["metadata"]["name"]
        replicas = doc["spec"].get("replicas")
        if name in hpas:
            replicas = hpas[name]["spec"]["minReplicas"]
            if hpas[name]["apiVersion"] != "autoscaling/v2":
                out.append(f"HorizontalPodAutoscaler/{name}: not autoscaling/v2")
            metrics = hpas[name]["spec"].get("metrics") or []
            if not any((m.get("resource") or {}).get("name") == "cpu" for m in metrics):
                out.append(f"HorizontalPodAutoscaler/{name}: does not scale on CPU")
            if "replicas" in doc["spec"]:
                out.append(f"{name_of(doc)}: sets replicas although its HPA owns them")
        if replicas is None:
            out.append(f"{name_of(doc)}: no replica count and no HPA")
        elif replicas > 1 and role not in pdbs:
            out.append(f"{name_of(doc)}: {replicas} replicas and no PodDisruptionBudget")
    api = role_deployments(docs).get("api")
    if hpa_expected and api is not None and api["metadata"]["name"] not in hpas:
        out.append("the api has no HorizontalPodAutoscaler")
    if api is not None and not pod_spec(api).get("topologySpreadConstraints"):
        out.append(f"{name_of(api)}: no topology spread")
    return out


# ------------------------------------------------------------------------- the rest
def check_network_policies(docs):
    out = []
    nps = of_kind(docs, "NetworkPolicy")
    deny = [n for n in nps if n["spec"].get("podSelector") == {}
            and set(n["spec"].get("policyTypes") or []) == {"Ingress", "Egress"}
            and not n["spec"].get("ingress") and not n["spec"].get("egress")]
    if not deny:
        out.append("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress)")
    covered = {}
    for n in nps:
        labels = (n["spec"].get("podSelector") or {}).get("matchLabels") or {}
        covered[labels.get("app.kubernetes.io/component")] = n
    workloads = [d for d in docs if d.get("kind") in WORKLOADS]
    for doc in workloads:
        comp = (doc["spec"]["template"]["metadata"].get("labels") or {}).get(
            "app.kubernetes.io/component")
        if comp and comp not in covered:
            out.append(f"{name_of(doc)}: no NetworkPolicy for component {comp!r}")
        elif comp:
            n = covered[comp]
            if set(n["spec"].get("policyTypes") or []) != {"Ingress", "Egress"}:
                out.append(f"NetworkPolicy/{n['metadata']['name']}: not both Ingress and Egress")
    return out


def _ports(rule):
    return {p.get("port") for p in rule.get("ports") or []}


def _peers(rule, key):
    return rule.get(key) or []


def check_role_network_paths(docs):
    """What each role's NetworkPolicy lets through: DNS and the Dapr control plane for every
    sidecar; PostgreSQL and Kafka for every role but the front door; the front door only to
    the api's sidecar (50002), which accepts it."""
    out = []
    nps = {}
    for n in of_kind(docs, "NetworkPolicy"):
        comp = ((n["spec"].get("podSelector") or {}).get("matchLabels") or {}).get(
            "app.kubernetes.io/component")
        nps[comp] = n
    roles = role_deployments(docs)
    for role in roles:
        n = nps.get(role)
        if n is None:
            continue
        egress = n["spec"].get("egress") or []
        where = f"NetworkPolicy/{n['metadata']['name']}"
        if not any(53 in _ports(r) for r in egress):
            out.append(f"{where}: no DNS")
        if not any(any((p.get("namespaceSelector") or {}).get("matchLabels", {}).get(
                "kubernetes.io/metadata.name") for p in _peers(r, "to")) and not r.get("ports")
                for r in egress):
            out.append(f"{where}: no way to the Dapr control plane")
        has_pg = any(5432 in _ports(r) for r in egress)
        has_kafka = any(9092 in _ports(r) for r in egress)
        if role == "web":
            if has_pg or has_kafka:
                out.append(f"{where}: the front door may reach PostgreSQL or Kafka")
            if "api" in roles and not any(50002 in _ports(r) for r in egress):
                out.append(f"{where}: the front door cannot reach the api's sidecar")
        else:
            if not has_pg:
                out.append(f"{where}: no way to PostgreSQL")
            if not has_kafka:
                out.append(f"{where}: no way to Kafka")
    if "web" in roles and "api" in nps:
        ingress = nps["api"]["spec"].get("ingress") or []
        if not any(50002 in _ports(r) for r in ingress):
            out.append("NetworkPolicy for the api: the front door's sidecar may not reach it")
    return out


def check_migration_job(docs, enabled=True):
    out = []
    jobs = [j for j in of_kind(docs, "Job") if component(j) == "migrate"]
    if not enabled:
        return out
    if len(jobs) != 1:
        return [f"{len(jobs)} migration Jobs, not 1"]
    job = jobs[0]
    ann = job["metadata"].get("annotations") or {}
    hooks = set((ann.get("helm.sh/hook") or "").split(","))
    if "pre-upgrade" not in hooks or not hooks & {"pre-install", "post-install"}:
        out.append(f"{name_of(job)}: helm.sh/hook is {ann.get('helm.sh/hook')!r}")
    if set((ann.get("helm.sh/hook-delete-policy") or "").split(",")) != {
            "before-hook-creation", "hook-succeeded"}:
        out.append(f"{name_of(job)}: hook-delete-policy is not before-hook-creation,hook-succeeded")
    if pod_annotations(job).get("dapr.io/enabled") != "false":
        out.append(f"{name_of(job)}: may get a sidecar (dapr.io/enabled is not \"false\")")
    c = pod_spec(job)["containers"][0]
    if c.get("args") != ["migrate"]:
        out.append(f"{name_of(job)}: does not run `todo migrate`")
    ref = ((env_of(c).get("TODO_DATABASE_URL") or {}).get("valueFrom") or {}).get("secretKeyRef")
    if not ref or ref.get("name") != SECRET or ref.get("key") != "database-url":
        out.append(f"{name_of(job)}: TODO_DATABASE_URL is not {SECRET}/database-url by reference")
    return out


def check_dapr_resources(docs):
    out = []
    comps = {c["metadata"]["name"]: c for c in of_kind(docs, "Component")}
    ids = {ROLES[r] for r in role_deployments(docs)}
    for name in ("kubernetes",):
        if name not in comps:
            out.append(f"no Dapr Component {name!r}")
    for name, want in (("pubsub", "pubsub.kafka"), ("statestore", "state.postgresql"),
                       ("kubernetes", "secretstores.kubernetes")):
        if name in comps and comps[name]["spec"]["type"] != want:
            out.append(f"Component/{name}: type {comps[name]['spec']['type']}, not {want}")
    if "todo-api" in ids:
        for name in ("pubsub", "statestore"):
            if name not in comps:
                out.append(f"no Dapr Component {name!r}")
    for name, comp in comps.items():
        scopes = set(comp.get("scopes") or [])
        if not scopes:
            out.append(f"Component/{name}: not scoped")
        if scopes - ids:
            out.append(f"Component/{name}: scoped to app ids without a role: {sorted(scopes - ids)}")
    if "statestore" in comps and set(comps["statestore"].get("scopes") or []) != {"todo-api"}:
        out.append("Component/statestore: visible to more than the api")
    if "todo-web" in set(comps.get("pubsub", {}).get("scopes") or []):
        out.append("Component/pubsub: visible to the front door, which neither publishes nor consumes")
    meta = lambda c: {m["name"]: m for m in c["spec"].get("metadata") or []}
    if "pubsub" in comps and meta(comps["pubsub"]).get("consumerGroup", {}).get("value") != "{appID}":
        out.append("Component/pubsub: the consumer group is not one per app id")
    if "todo-realtime" in ids:
        rt = comps.get("pubsub-realtime")
        if not rt or meta(rt).get("consumerGroup", {}).get("value") != "{podName}":
            out.append("realtime has no pub/sub component with a consumer group per pod")
    for c in comps.values():
        for m in c["spec"].get("metadata") or []:
            if re.search(r"password|connectionString|secret", m["name"], re.I) and "value" in m:
                out.append(f"Component/{c['metadata']['name']}: {m['name']} given as a value")
    subs = of_kind(docs, "Subscription")
    if subs:
        out.append("Subscription resources rendered: subscriptions are programmatic "
                   "(/dapr/subscribe), declared one way only")
    confs = of_kind(docs, "Configuration")
    if len(confs) != 1 or confs[0]["metadata"]["name"] != "todo-dapr":
        out.append("no single Dapr Configuration todo-dapr")
    elif not (confs[0]["spec"].get("mtls") or {}).get("enabled"):
        out.append("Configuration/todo-dapr: mTLS is off")
    elif "tracing" not in confs[0]["spec"]:
        out.append("Configuration/todo-dapr: no tracing")
    res = of_kind(docs, "Resiliency")
    if len(res) != 1:
        out.append("no single Dapr Resiliency")
    else:
        pol = res[0]["spec"]["policies"]
        for part in ("retries", "timeouts", "circuitBreakers"):
            if not pol.get(part):
                out.append(f"Resiliency: no {part}")
        targets = res[0]["spec"]["targets"]
        if "todo-api" in ids and "todo-api" not in (targets.get("apps") or {}):
            out.append("Resiliency: no policy for invoking the api")
        elif "todo-api" in ids:
            retry = pol["retries"].get(targets["apps"]["todo-api"].get("retry"), {})
            codes = (retry.get("matching") or {}).get("httpStatusCodes", "")
            if not codes or any(c.strip() not in ("502", "503", "504") for c in codes.split(",")):
                out.append("Resiliency: invoking the api retries answers other than 502-504 "
                           f"({codes or 'every 5xx'}): a 500 after a write would be repeated")
        if "pubsub" in comps and "pubsub" not in (targets.get("components") or {}):
            out.append("Resiliency: no policy for pubsub")
    return out


def check_secret_store_rbac(docs):
    out = []
    for role in of_kind(docs, "Role"):
        for rule in role.get("rules") or []:
            if "secrets" in rule.get("resources", []):
                if rule.get("resourceNames") != [SECRET] or rule.get("verbs") != ["get"]:
                    out.append(f"{name_of(role)}: more than get on {SECRET}")
    if of_kind(docs, "ClusterRole") or of_kind(docs, "ClusterRoleBinding"):
        out.append("cluster-wide RBAC rendered")
    if "kubernetes" in {c["metadata"]["name"] for c in of_kind(docs, "Component")}:
        if not any("secrets" in rule.get("resources", [])
                   for role in of_kind(docs, "Role") for rule in role.get("rules") or []):
            out.append("the kubernetes secret store has no Role to read the Secret")
    return out


def check_ingress(docs, front="web"):
    out = []
    ings = of_kind(docs, "Ingress")
    if not ings:
        return out
    paths = {}
    for ing in ings:
        for rule in ing["spec"].get("rules") or []:
            for p in rule["http"]["paths"]:
                paths[p["path"]] = p["backend"]["service"]["name"]
    if not paths.get("/ws", "").endswith("-realtime"):
        out.append(f"Ingress: /ws goes to {paths.get('/ws')!r}, not realtime")
    if not paths.get("/", "").endswith("-" + front):
        out.append(f"Ingress: / goes to {paths.get('/')!r}, not the {front}")
    return out


def check_no_secret_data(docs):
    """For values files other than the local ones: nothing secret is rendered."""
    out = []
    for s in of_kind(docs, "Secret"):
        out.append(f"{name_of(s)}: a Secret with data is rendered")
    return out


def env_names(docs):
    names = set()
    for doc in docs:
        if doc.get("kind") in WORKLOADS:
            for c in containers(doc):
                names.update(e["name"] for e in c.get("env") or [])
    return names


def check_env_documented(docs, operations_md):
    out = []
    documented = set(re.findall(r"`(TODO_[A-Z0-9_]+)`", operations_md))
    for name in sorted(env_names(docs)):
        if name.startswith("TODO_") and name not in documented:
            out.append(f"{name} is set by the chart but not in docs/operations.md")
    return out


def cpu_millis(q):
    q = str(q)
    return int(q[:-1]) if q.endswith("m") else int(float(q) * 1000)


def mem_mib(q):
    q = str(q)
    for suffix, f in (("Gi", 1024), ("Mi", 1), ("Ki", 1 / 1024)):
        if q.endswith(suffix):
            return float(q[: -len(suffix)]) * f
    return float(q) / (1024 * 1024)


def release_requests(docs):
    """(CPU millicores, MiB) requested by the release at the HPAs' maxima, sidecars included."""
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(docs, "HorizontalPodAutoscaler")}
    cpu = mem = 0.0
    for doc in docs:
        if doc.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        n = doc["spec"].get("replicas", 1)
        if doc["metadata"]["name"] in hpas:
            n = hpas[doc["metadata"]["name"]]["spec"]["maxReplicas"]
        for c in pod_spec(doc)["containers"]:
            req = (c.get("resources") or {}).get("requests") or {}
            cpu += n * cpu_millis(req.get("cpu", "0"))
            mem += n * mem_mib(req.get("memory", "0Mi"))
        ann = pod_annotations(doc)
        if ann.get("dapr.io/enabled") == "true":
            cpu += n * cpu_millis(ann.get("dapr.io/sidecar-cpu-request", "0"))
            mem += n * mem_mib(ann.get("dapr.io/sidecar-memory-request", "0Mi"))
    return cpu, mem
