"""The workflows of .github/workflows/ checked against issue 14 §1 (workflow_checks.py): ci.yml
runs `make test` and only Makefile targets besides preparing the container, with its caches,
artefacts on failure, least privilege; release.yml builds with scripts/build-web.sh and
deploy/Containerfile for two architectures, attests, signs, and deploys each cloud through
scripts/deploy.sh and the chart. Each check is shown to fail on a workflow that breaks it.
Run by scripts/test-workflows.sh (make test-workflows)."""

import copy
import re
import unittest

import workflow_checks as wc

CI = wc.load_workflow("ci.yml")
RELEASE = wc.load_workflow("release.yml")


def step_with(doc, pred):
    for _, s in wc.steps(doc):
        if pred(s):
            return s
    raise AssertionError("no such step")


def uses(prefix):
    return lambda s: str(s.get("uses", "")).startswith(prefix)


def runs(text):
    return lambda s: text in s.get("run", "")


class CiWorkflow(unittest.TestCase):
    def test_runs_only_make_targets_and_setup(self):
        self.assertEqual(wc.check_ci_runs_make(CI), [])

    def test_a_copied_test_step_fails(self):
        broken = copy.deepcopy(CI)
        step_with(broken, runs("make test 2>&1"))["run"] += "scripts/test-blackbox.sh sqlite\n"
        self.assertIn("neither a make target", " ".join(wc.check_ci_runs_make(broken)))

    def test_an_unknown_make_target_fails(self):
        broken = copy.deepcopy(CI)
        step_with(broken, runs("make test 2>&1"))["run"] = "make test-everything\n"
        self.assertIn("no such Makefile target", " ".join(wc.check_ci_runs_make(broken)))

    def test_runs_make_test(self):
        self.assertEqual(wc.check_ci_runs_make_test(CI), [])

    def test_without_make_test_fails(self):
        broken = copy.deepcopy(CI)
        step_with(broken, runs("make test 2>&1"))["run"] = "make unit\n"
        self.assertIn("no step runs `make test`", wc.check_ci_runs_make_test(broken))
        broken = copy.deepcopy(CI)
        del broken["on"]["pull_request"]
        self.assertIn("ci.yml does not run on pull_request", wc.check_ci_runs_make_test(broken))

    def test_make_test_runs_the_bench_smoke_and_these_checks(self):
        self.assertEqual(wc.check_make_test_covers(), [])
        text = (wc.REPO / "Makefile").read_text()
        broken = re.sub(r"^(test:.*) bench-smoke", r"\1", text, count=1, flags=re.M)
        self.assertIn("make test does not run bench-smoke", wc.check_make_test_covers(broken))

    def test_caches(self):
        self.assertEqual(wc.check_ci_caches(CI), [])

    def test_a_missing_cache_or_unhashed_key_fails(self):
        broken = copy.deepcopy(CI)
        for job in broken["jobs"].values():
            job["steps"] = [s for s in job["steps"]
                            if "~/.m2" not in str(s.get("with", {}).get("path", ""))]
        self.assertIn("no cache of ~/.m2/repository", wc.check_ci_caches(broken))
        broken = copy.deepcopy(CI)
        step_with(broken, uses("actions/cache@"))["with"]["key"] = "go-static"
        self.assertIn("hashes no file", " ".join(wc.check_ci_caches(broken)))

    def test_artifacts_on_failure(self):
        self.assertEqual(wc.check_ci_artifacts(CI), [])

    def test_artifacts_always_or_without_screenshots_fail(self):
        broken = copy.deepcopy(CI)
        step_with(broken, uses("actions/upload-artifact@"))["if"] = "always()"
        self.assertIn("not kept on failure", " ".join(wc.check_ci_artifacts(broken)))
        broken = copy.deepcopy(CI)
        for _, s in wc.steps(broken):
            if str(s.get("uses", "")).startswith("actions/upload-artifact@"):
                s["with"]["path"] = "ci-logs/\n"
        self.assertIn("the artefacts leave out tests/browser/artifacts/",
                      wc.check_ci_artifacts(broken))

    def test_hygiene(self):
        self.assertEqual(wc.check_hygiene(CI, "ci.yml"), [])

    def test_hygiene_breaks_fail(self):
        for mutate, want in [
            (lambda d: d.update(permissions={"contents": "write"}), "permissions write"),
            (lambda d: d.pop("permissions"), "no top-level permissions"),
            (lambda d: d.pop("concurrency"), "no concurrency group"),
            (lambda d: d["jobs"]["test"].pop("timeout-minutes"), "has no timeout-minutes"),
            (lambda d: step_with(d, uses("actions/checkout@")).update(uses="actions/checkout@main"),
             "is not pinned"),
        ]:
            broken = copy.deepcopy(CI)
            mutate(broken)
            self.assertIn(want, " ".join(wc.check_hygiene(broken, "ci.yml")), want)


class ReleaseWorkflow(unittest.TestCase):
    def test_reuses_the_scripts_and_the_containerfile(self):
        self.assertEqual(wc.check_release_reuses(RELEASE), [])

    def test_copies_fail(self):
        for mutate, want in [
            # the web UI built by hand instead of scripts/build-web.sh
            (lambda d: step_with(d, runs("scripts/build-web.sh")).update(
                run="cd web && npm ci && npx next build\n"), "repeats a step"),
            (lambda d: step_with(d, runs("scripts/build-web.sh")).update(run="make web\n"),
             "scripts/build-web.sh"),
            # a helm upgrade of its own instead of scripts/deploy.sh
            (lambda d: step_with(d, runs("scripts/deploy.sh aks")).update(
                run="helm upgrade --install todo deploy/helm/todo\n"), "repeats a step"),
            (lambda d: step_with(d, runs("scripts/deploy.sh aks")).update(
                run="scripts/no-such-script.sh\n"), "not an executable script"),
            (lambda d: step_with(d, uses("docker/build-push-action@"))["with"].update(
                file="Dockerfile"), "deploy/Containerfile"),
            (lambda d: step_with(d, uses("docker/build-push-action@"))["with"].update(
                platforms="linux/amd64"), "linux/arm64"),
            (lambda d: step_with(d, uses("docker/build-push-action@"))["with"].pop("sbom"),
             "no SBOM"),
            (lambda d: step_with(d, runs("cosign sign")).update(run="echo unsigned\n"),
             "not signed"),
            (lambda d: d["jobs"]["image"]["permissions"].pop("id-token"), "keyless"),
        ]:
            broken = copy.deepcopy(RELEASE)
            mutate(broken)
            self.assertIn(want, " ".join(wc.check_release_reuses(broken)), want)

    def test_deploys(self):
        self.assertEqual(wc.check_release_deploys(RELEASE), [])

    def test_deploy_breaks_fail(self):
        for mutate, want in [
            (lambda d: d["jobs"].pop("gke"), "no deploy job for gke"),
            (lambda d: d["jobs"]["aks"].update(environment="production"), "environment aks"),
            (lambda d: d["jobs"]["oke"].pop("if"), "DEPLOY_OKE"),
            (lambda d: d["jobs"]["aks"].update(needs=[]), "wait for the image"),
            (lambda d: d["jobs"]["gke"].pop("concurrency"), "gke: two rollouts"),
            (lambda d: d["jobs"]["oke"]["concurrency"].update({"cancel-in-progress": True}),
             "oke: two rollouts"),
            (lambda d: step_with(d, runs("scripts/deploy.sh gke")).update(
                run='scripts/deploy.sh aks "$REPOSITORY" "$GITHUB_SHA" "$URL"\n'),
             "scripts/deploy.sh gke"),
            (lambda d: d["jobs"]["gke"]["permissions"].pop("id-token"), "gke: no google"),
            (lambda d: d["jobs"]["aks"].update(steps=[s for s in d["jobs"]["aks"]["steps"]
                                                      if "azure/login" not in str(s.get("uses"))]),
             "aks: no azure/login"),
            (lambda d: step_with(d, runs("KUBECONFIG_TEXT")).update(env={}), "kubeconfig"),
        ]:
            broken = copy.deepcopy(RELEASE)
            mutate(broken)
            self.assertIn(want, " ".join(wc.check_release_deploys(broken)), want)

    def test_hygiene(self):
        self.assertEqual(wc.check_hygiene(RELEASE, "release.yml"), [])

    def test_a_job_without_its_permissions_fails(self):
        broken = copy.deepcopy(RELEASE)
        broken["jobs"]["oke"].pop("permissions")
        self.assertIn("job oke does not say its permissions",
                      " ".join(wc.check_hygiene(broken, "release.yml")))


if __name__ == "__main__":
    unittest.main()
