"""The checks of deploy/monitoring (scripts/test-monitoring.sh, docs/deploy/monitoring.md).

Each check takes the paths it reads and returns a list of problems (empty: it passes), so
test_monitoring.py can run it on the committed files and on a broken copy.
"""
import copy
import json
import os
import re
import subprocess
import tempfile

import yaml

PROMTOOL = os.environ.get("PROMTOOL", "promtool")
SEVERITIES = {"critical", "warning", "info"}


def _run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def _load_json(path):
    with open(path) as fh:
        return json.load(fh)


def rule_files(rules_dir):
    return sorted(os.path.join(rules_dir, f) for f in os.listdir(rules_dir) if f.endswith(".yaml"))


def rules(rules_dir):
    """Every rule of every file: (file, rule dict)."""
    out = []
    for f in rule_files(rules_dir):
        with open(f) as fh:
            doc = yaml.safe_load(fh)
        for g in doc["groups"]:
            for r in g["rules"]:
                out.append((f, r))
    return out


def promtool_check_rules(rules_dir):
    rc, out = _run([PROMTOOL, "check", "rules", *rule_files(rules_dir)])
    return [] if rc == 0 else ["promtool check rules:\n" + out]


def promtool_test_rules(tests_dir):
    files = sorted(f for f in os.listdir(tests_dir) if f.endswith(".yaml"))
    rc, out = _run([PROMTOOL, "test", "rules", *files], cwd=tests_dir)
    return [] if rc == 0 else ["promtool test rules:\n" + out]


def runbook_anchors(operations_md):
    """Anchors of the ### headings under "## Runbooks" (GitHub's: lower case)."""
    with open(operations_md) as fh:
        text = fh.read()
    m = re.search(r"^## Runbooks\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return set()
    return {h.strip().lower() for h in re.findall(r"^### (\S+)\s*$", m.group(1), re.M)}


def alerts_complete(rules_dir, operations_md):
    """Every alert: a severity, a summary, a description and a runbook_url that points at its
    own section of docs/operations.md's Runbooks."""
    problems = []
    anchors = runbook_anchors(operations_md)
    for f, r in rules(rules_dir):
        name = r.get("alert")
        if not name:
            continue
        labels, ann = r.get("labels") or {}, r.get("annotations") or {}
        if labels.get("severity") not in SEVERITIES:
            problems.append(f"{name}: severity must be one of {sorted(SEVERITIES)}")
        for key in ("summary", "description"):
            if not str(ann.get(key, "")).strip():
                problems.append(f"{name}: no {key}")
        want = "docs/operations.md#" + name.lower()
        if ann.get("runbook_url") != want:
            problems.append(f"{name}: runbook_url must be {want}")
        if name.lower() not in anchors:
            problems.append(f"{name}: no '### {name}' under '## Runbooks' in docs/operations.md")
    return problems


def alerts_tested(rules_dir, tests_dir):
    """Every alert has a promtool case where it fires and one where it stays silent."""
    fires, silent = set(), set()
    for f in sorted(os.listdir(tests_dir)):
        if not f.endswith(".yaml"):
            continue
        with open(os.path.join(tests_dir, f)) as fh:
            doc = yaml.safe_load(fh)
        for t in doc.get("tests", []):
            for case in t.get("alert_rule_test", []) or []:
                (fires if case.get("exp_alerts") else silent).add(case["alertname"])
    problems = []
    for _, r in rules(rules_dir):
        name = r.get("alert")
        if name and name not in fires:
            problems.append(f"{name}: no promtool case where it fires")
        if name and name not in silent:
            problems.append(f"{name}: no promtool case where it stays silent (exp_alerts: [])")
    return problems


def catalogue(operations_md):
    """Metric names of the tables of docs/operations.md's sections "## Metrics" (the app's
    catalogue) and "## Metrics of daprd, the exporters and Prometheus" (histograms with their
    _bucket, _sum and _count series)."""
    with open(operations_md) as fh:
        text = fh.read()
    sections = re.findall(r"^## Metrics\b[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    names = set()
    for line in "\n".join(sections).splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = re.findall(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)`", cells[0])
        for n in found:
            names.add(n)
            if len(cells) > 1 and "histogram" in cells[1]:
                names.update({n + "_bucket", n + "_sum", n + "_count"})
    return names


KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "inf", "nan"}


def metric_names(expr):
    """The metric names an expression reads (not functions, labels, keywords or numbers)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)                # strings
    e = re.sub(r"\{[^}]*\}", "", e)                              # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                             # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    e = re.sub(r"\b[a-zA-Z_][a-zA-Z0-9_]*\s*\(", "(", e)         # function names
    e = re.sub(r"\b\d[0-9.eE+-]*\b", "", e)                      # numbers
    return {n for n in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", e) if n.lower() not in KEYWORDS}


def names_known(queries_json, rules_dir, operations_md):
    """Every metric name used by a dashboard, an alert or a recording rule is in the catalogue
    (or is a recording rule's own name)."""
    known = catalogue(operations_md)
    recorded = {r["record"] for _, r in rules(rules_dir) if "record" in r}
    exprs = [(q["source"], q["expr"]) for q in _load_json(queries_json)]
    exprs += [("record:" + r["record"], r["expr"]) for _, r in rules(rules_dir) if "record" in r]
    problems = []
    for source, expr in exprs:
        for n in sorted(metric_names(expr) - known - recorded):
            problems.append(f"{source}: metric {n} is not in docs/operations.md's catalogue")
    return problems


def queries_parse(queries_json):
    """Every query of queries.json is valid PromQL (promtool parses it as a recording rule)."""
    qs = _load_json(queries_json)
    problems = [f"entry {i}: needs source and expr" for i, q in enumerate(qs)
                if not q.get("source") or not q.get("expr")]
    doc = {"groups": [{"name": "queries", "rules": [
        {"record": f"query:{i}", "expr": q["expr"]} for i, q in enumerate(qs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        yaml.safe_dump(doc, fh)
    try:
        rc, out = _run([PROMTOOL, "check", "rules", fh.name])
    finally:
        os.unlink(fh.name)
    return problems + ([] if rc == 0 else ["a query does not parse:\n" + out])


def alerts_listed(queries_json, rules_dir):
    """queries.json lists every alert's series."""
    listed = {q["source"] for q in _load_json(queries_json)}
    return [f"{r['alert']}: not in queries.json" for _, r in rules(rules_dir)
            if "alert" in r and "alert:" + r["alert"] not in listed]


def _read(path):
    with open(path, "rb") as fh:
        return fh.read()


def same_tree(generated, committed):
    """The generator's output is byte for byte the committed one."""
    problems = []
    for dirpath, _, files in os.walk(generated):
        for f in files:
            g = os.path.join(dirpath, f)
            c = os.path.join(committed, os.path.relpath(g, generated))
            if not os.path.exists(c):
                problems.append(f"{os.path.relpath(c, committed)}: generated but not committed")
            elif _read(g) != _read(c):
                problems.append(f"{os.path.relpath(c, committed)}: differs from the generator's "
                                "output (run make dashboards)")
    gen_dash = set(os.listdir(os.path.join(generated, "dashboards")))
    for f in os.listdir(os.path.join(committed, "dashboards")):
        if f not in gen_dash:
            problems.append(f"dashboards/{f}: committed but not generated")
    return problems


def scrape_config(path, rules_dir):
    """The plain scrape configuration is valid for promtool: Debian's promtool has no
    Kubernetes discovery, so kubernetes_sd_configs become file_sd_configs in a copy first."""
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    problems = []
    jobs = {j["job_name"] for j in doc.get("scrape_configs", [])}
    for want in ("todo", "todo-dapr", "todo-kafka", "todo-postgres"):
        if want not in jobs:
            problems.append(f"scrape config: no job {want}")
    doc = copy.deepcopy(doc)
    with tempfile.TemporaryDirectory() as tmp:
        for j in doc.get("scrape_configs", []):
            if j.pop("kubernetes_sd_configs", None) is not None:
                j["file_sd_configs"] = [{"files": [os.path.join(tmp, "targets.json")]}]
        doc["rule_files"] = [os.path.join(os.path.abspath(rules_dir), "*.yaml")]
        cfg = os.path.join(tmp, "prometheus.yaml")
        with open(cfg, "w") as fh:
            yaml.safe_dump(doc, fh)
        rc, out = _run([PROMTOOL, "check", "config", cfg])
    return problems + ([] if rc == 0 else ["promtool check config:\n" + out])
