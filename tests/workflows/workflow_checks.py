"""Checks of the GitHub Actions workflows (.github/workflows/, docs/deploy/ci-cd.md,
docs/decisions/0051-github-actions.md). Each check takes the loaded workflow (a dict; PyYAML
reads the key `on` as True, which load_workflow undoes) and returns a list of problems, empty
when it holds. test_workflows.py runs them on the real files and on broken copies."""

import pathlib
import re

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
CHART = REPO / "deploy" / "helm" / "todo"
CLOUDS = ("aks", "gke", "oke")

# The `run:` lines of ci.yml that are not make: only preparing the container (packages,
# kernel setting, git's trust of the checkout) and the log directory. Anything else that a
# test tier does belongs in the Makefile (or the scripts it calls), so a developer runs it too.
CI_SETUP = [
    r"apt-get update -qq",
    r"apt-get install -y -qq --no-install-recommends [a-z0-9.+\- ]+",
    r"sysctl -w vm\.mmap_rnd_bits=\d+",
    r'git config --global --add safe\.directory "\$GITHUB_WORKSPACE"',
    r"mkdir -p ci-logs",
]
# `make T...`, optionally keeping its output in ci-logs/ for the failure artefact.
MAKE_LINE = re.compile(r"make( [a-z0-9][a-z0-9_-]*)+( 2>&1 \| tee ci-logs/[\w.-]+\.log)?")
# The release's `run:` lines: a repository script, or one of these small glue steps.
RELEASE_GLUE = [
    r'echo "repository=ghcr\.io/\$\{GITHUB_REPOSITORY,,\}" >>"\$GITHUB_OUTPUT"',
    r'cosign sign --yes "\$IMAGE"',
    r"umask 077",
    r"printf '%s\\n' \"\$KUBECONFIG_TEXT\" >\"\$RUNNER_TEMP/kubeconfig\"",
    r'echo "KUBECONFIG=\$RUNNER_TEMP/kubeconfig" >>"\$GITHUB_ENV"',
]
SCRIPT_LINE = re.compile(r"(scripts/[\w./-]+\.sh)( .*)?")
# What the Makefile and the scripts own: a workflow that spells one of these out copies a step
# instead of calling it.
COPIED = re.compile(r"\b(npm (ci|install|run)|npx|next build|cmake|ctest|docker (build|buildx)|"
                    r"podman|buildah|helm (upgrade|install|rollback|lint|template)|go (build|test|run)|"
                    r"node --test|python3? -m|clang-format|curl)\b")
# Major version (v4) or a full commit SHA.
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+|[0-9a-f]{40})$")


def load_workflow(name):
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in doc:  # YAML 1.1 reads `on` as a boolean
        doc["on"] = doc.pop(True)
    return doc


def makefile_targets():
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9_-]*):", text, re.M))


def steps(doc):
    for job_id, job in doc.get("jobs", {}).items():
        for step in job.get("steps", []):
            yield job_id, step


def run_lines(step):
    """The commands of a run step, one per line, without blanks and comments."""
    return [line.strip() for line in step.get("run", "").splitlines()
            if line.strip() and not line.strip().startswith("#")]


def check_ci_runs_make(doc, targets=None):
    """Every run line of ci.yml is `make <existing targets>` or an allowed setup line."""
    targets = makefile_targets() if targets is None else targets
    problems = []
    for job_id, step in steps(doc):
        for line in run_lines(step):
            if any(re.fullmatch(p, line) for p in CI_SETUP):
                continue
            m = MAKE_LINE.fullmatch(line)
            if not m:
                problems.append(f"{job_id}: '{line}' is neither a make target nor a setup step")
                continue
            words = line.split("2>&1")[0].split()[1:]
            problems += [f"{job_id}: make {w}: no such Makefile target"
                         for w in words if w not in targets]
    return problems


def check_ci_runs_make_test(doc):
    """Some step runs exactly `make test` (the README's command) on pull requests and pushes."""
    problems = []
    on = doc.get("on", {})
    for event in ("pull_request", "push"):
        if event not in on:
            problems.append(f"ci.yml does not run on {event}")
    lines = [line for _, s in steps(doc) for line in run_lines(s)]
    if not any(line.split("2>&1")[0].split() == ["make", "test"] for line in lines):
        problems.append("no step runs `make test`")
    readme = (REPO / "README.md").read_text()
    if "make test" not in readme:
        problems.append("README.md no longer says `make test`")
    return problems


def check_make_test_covers(makefile_text=None):
    """`make test` (what ci.yml runs) includes the benchmark smoke test and these checks, so CI
    runs them without a step of its own."""
    text = (REPO / "Makefile").read_text() if makefile_text is None else makefile_text
    m = re.search(r"^test:([^\n]*)", text, re.M)
    prereqs = m.group(1).split() if m else []
    return [f"make test does not run {t}" for t in ("bench-smoke", "test-workflows", "test-k8s")
            if t not in prereqs]


def cache_steps(doc):
    return [s for _, s in steps(doc) if str(s.get("uses", "")).startswith("actions/cache@")]


def check_ci_caches(doc):
    """Caches for Go's build and module caches, npm, Maven and the project's .cache, each keyed
    by a hash of files."""
    problems = []
    paths = set()
    for s in cache_steps(doc):
        w = s.get("with", {})
        paths |= {p.strip() for p in str(w.get("path", "")).splitlines() if p.strip()}
        if "hashFiles(" not in str(w.get("key", "")):
            problems.append(f"cache {w.get('path')!r}: its key hashes no file")
    for want in ("~/.cache/go-build", "~/go/pkg/mod", "~/.npm", "~/.m2/repository", ".cache",
                 "~/.cache/todo-k8s/bin", "~/.cache/todo-k8s/images"):
        if want not in paths:
            problems.append(f"no cache of {want}")
    return problems


def check_ci_artifacts(doc):
    """A failed run keeps its logs and the browser tier's screenshots."""
    ups = [s for _, s in steps(doc) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    if not ups:
        return ["no artefact upload"]
    problems = []
    for s in ups:
        if "failure()" not in str(s.get("if", "")):
            problems.append(f"artefact {s.get('name')!r} is not kept on failure only")
    paths = " ".join(str(s.get("with", {}).get("path", "")) for s in ups)
    for want in ("ci-logs/", "tests/browser/artifacts/", ".k8s/*/logs/"):
        if want not in paths:
            problems.append(f"the artefacts leave out {want}")
    return problems


def check_hygiene(doc, name):
    """Least-privilege permissions, a timeout on every job, actions pinned, concurrency."""
    problems = []
    if "permissions" not in doc:
        problems.append(f"{name}: no top-level permissions")
    elif name == "ci.yml" and "write" in str(doc["permissions"]):
        problems.append(f"{name}: the top-level permissions write")
    if "concurrency" not in doc:
        problems.append(f"{name}: no concurrency group")
    for job_id, job in doc.get("jobs", {}).items():
        if "timeout-minutes" not in job:
            problems.append(f"{name}: job {job_id} has no timeout-minutes")
        if name == "release.yml" and "permissions" not in job:
            problems.append(f"{name}: job {job_id} does not say its permissions")
    for job_id, step in steps(doc):
        uses = step.get("uses")
        if uses and not PINNED.match(uses):
            problems.append(f"{name}: {job_id}: '{uses}' is not pinned to a major version or SHA")
    return problems


def check_release_reuses(doc):
    """The release builds the web UI with scripts/build-web.sh and the image from
    deploy/Containerfile, deploys with the chart through scripts/deploy.sh, and copies none of
    what those own."""
    problems = []
    lines = [(j, line) for j, s in steps(doc) for line in run_lines(s)]
    for job_id, line in lines:
        if COPIED.search(line):
            problems.append(f"{job_id}: '{line}' repeats a step a script or the Makefile owns")
            continue
        m = SCRIPT_LINE.fullmatch(line)
        if m:
            script = REPO / m.group(1)
            if not (script.is_file() and script.stat().st_mode & 0o111):
                problems.append(f"{job_id}: {m.group(1)} is not an executable script")
        elif not any(re.fullmatch(p, line) for p in RELEASE_GLUE):
            problems.append(f"{job_id}: '{line}' is neither a script nor an allowed glue step")
    image = doc.get("jobs", {}).get("image", {})
    image_runs = [line for s in image.get("steps", []) for line in run_lines(s)]
    if "scripts/build-web.sh" not in image_runs:
        problems.append("the image job does not build the web UI with scripts/build-web.sh")
    build = [s for s in image.get("steps", [])
             if str(s.get("uses", "")).startswith("docker/build-push-action@")]
    if len(build) != 1:
        return problems + ["the image job has no docker/build-push-action step"]
    w = build[0].get("with", {})
    if w.get("file") != "deploy/Containerfile":
        problems.append("the image is not built from deploy/Containerfile")
    platforms = str(w.get("platforms", ""))
    for arch in ("linux/amd64", "linux/arm64"):
        if arch not in platforms:
            problems.append(f"the image is not built for {arch}")
    if w.get("sbom") is not True or not str(w.get("provenance", "")).startswith("mode="):
        problems.append("the image carries no SBOM or provenance attestation")
    uses = [str(s.get("uses", "")) for s in image.get("steps", [])]
    if not any(u.startswith("sigstore/cosign-installer@") for u in uses) or \
            not any(line.startswith("cosign sign") for line in image_runs):
        problems.append("the image is not signed with cosign")
    if "write" not in str(image.get("permissions", {}).get("id-token")):
        problems.append("the image job cannot sign keyless (id-token: write)")
    return problems


def check_release_deploys(doc):
    """One deploy job per cloud: its GitHub environment, skipped unless switched on, one rollout
    at a time, after the image, OIDC where the cloud has it (AKS, GKE), a kubeconfig secret for OKE, and
    scripts/deploy.sh with the cloud's values file of the chart."""
    problems = []
    jobs = doc.get("jobs", {})
    for cloud in CLOUDS:
        job = jobs.get(cloud)
        if job is None:
            problems.append(f"no deploy job for {cloud}")
            continue
        env = job.get("environment")
        env_name = env.get("name") if isinstance(env, dict) else env
        if env_name != cloud:
            problems.append(f"{cloud}: not in the GitHub environment {cloud}")
        if f"vars.DEPLOY_{cloud.upper()} == 'true'" not in str(job.get("if", "")):
            problems.append(f"{cloud}: not skipped when DEPLOY_{cloud.upper()} is not 'true'")
        conc = job.get("concurrency") or {}
        if f"deploy-{cloud}" not in str(conc) or conc.get("cancel-in-progress") is not False:
            problems.append(f"{cloud}: two rollouts to one cluster may overlap (concurrency)")
        if "image" not in job.get("needs", []):
            problems.append(f"{cloud}: does not wait for the image")
        runs = [line for s in job.get("steps", []) for line in run_lines(s)]
        deploys = [line for line in runs if line.startswith("scripts/deploy.sh ")]
        if len(deploys) != 1 or deploys[0].split()[1] != cloud:
            problems.append(f"{cloud}: no `scripts/deploy.sh {cloud} ...` step")
        elif not (CHART / f"values-{cloud}.yaml").is_file():
            problems.append(f"{cloud}: the chart has no values-{cloud}.yaml")
        oidc = "write" in str(job.get("permissions", {}).get("id-token"))
        uses = " ".join(str(s.get("uses", "")) for s in job.get("steps", []))
        if cloud == "aks" and not (oidc and "azure/login@" in uses):
            problems.append("aks: no azure/login through OIDC")
        if cloud == "gke" and not (oidc and "google-github-actions/auth@" in uses):
            problems.append("gke: no google-github-actions/auth through OIDC")
        if cloud == "oke" and "secrets.OKE_KUBECONFIG" not in yaml.safe_dump(job):
            problems.append("oke: no kubeconfig secret")
    return problems
