"""Offline checks of deploy/: the Dockerfile and the Kubernetes manifests.

The linters and validators run from .venv-deploy (``make deploy-tools``; their own lock in
deploy/checks, since checkov cannot share the main lock). A missing .venv-deploy fails these
tests: it never skips them. The rest reads the manifests with PyYAML and asserts the facts a
safe rollout depends on, so that a later edit cannot quietly drop them.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.__main__ import GRACEFUL_TIMEOUT_SECONDS
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
DEPLOY_BIN = ROOT / ".venv-deploy" / "bin"
DOCS = ROOT / "docs" / "deploy.md"
README = ROOT / "README.md"

# The oldest Kubernetes minor still widely run and the newest kubernetes-validate ships.
K8S_VERSIONS = ["1.33.0", "1.37.0"]
APP_LABELS = {"app.kubernetes.io/name": "roi-service", "app.kubernetes.io/component": "api"}


def tool(name: str) -> Path:
    path = DEPLOY_BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make deploy-tools` first", pytrace=False)
    return path


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@cache
def kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return loaded


def manifest_files() -> list[Path]:
    """What ``kubectl apply -k deploy/k8s`` applies, in kustomization.yaml's order."""
    return [K8S / name for name in kustomization()["resources"]]


@cache
def objects() -> dict[str, dict[str, Any]]:
    """Every object that kustomization.yaml applies, by kind (one of each)."""
    by_kind: dict[str, dict[str, Any]] = {}
    for path in manifest_files():
        for document in yaml.safe_load_all(path.read_text()):
            assert document["kind"] not in by_kind, f"a second {document['kind']} in {path}"
            by_kind[document["kind"]] = document
    return by_kind


def pod_spec() -> dict[str, Any]:
    spec: dict[str, Any] = objects()["Deployment"]["spec"]["template"]["spec"]
    return spec


def container() -> dict[str, Any]:
    containers: list[dict[str, Any]] = pod_spec()["containers"]
    assert len(containers) == 1
    return containers[0]


# --- the tools ------------------------------------------------------------------------------


def test_hadolint_dockerfile() -> None:
    result = run(tool("hadolint"), DOCKERFILE)
    assert result.returncode == 0, explain(result)


def test_yamllint_strict() -> None:
    result = run(tool("yamllint"), "-s", "-c", DEPLOY / ".yamllint", DEPLOY)
    assert result.returncode == 0, explain(result)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_kubernetes_validate_strict(version: str) -> None:
    files = [*manifest_files(), K8S / "examples" / "secret.example.yaml"]
    result = run(tool("kubernetes-validate"), "--strict", "-k", version, *files)
    assert result.returncode == 0, explain(result)
    # Every object validated against a schema: a WARN means an unknown kind went unchecked.
    output = result.stdout + result.stderr
    assert "WARN" not in output, explain(result)
    expected = sum(1 for path in files for _ in yaml.safe_load_all(path.read_text()))
    assert output.count(" passed for resource ") == expected, explain(result)


def checkov(framework: str) -> dict[str, Any]:
    # --skip-download: offline, no guideline look-ups; JSON on stdout, its logging on stderr.
    result = run(
        tool("checkov"),
        "-d",
        DEPLOY,
        "--framework",
        framework,
        "--output",
        "json",
        "--quiet",
        "--skip-download",
    )
    report: dict[str, Any] = json.loads(result.stdout)
    failed = [
        f"{check['check_id']} {check['check_name']} ({check['file_path']}, {check['resource']})"
        for check in report.get("results", {}).get("failed_checks", [])
    ]
    assert not failed, "\n".join(failed)
    assert result.returncode == 0, explain(result)
    return report


def test_checkov_kubernetes() -> None:
    report = checkov("kubernetes")
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] >= 80
    # A skip is allowed only with its reason written beside it.
    for check in report["results"].get("skipped_checks", []):
        assert check["suppress_comment"].strip(), f"{check['check_id']} skipped without a reason"
    assert report["summary"]["skipped"] <= 3, "a new checkov skip: justify it, then raise this"


def test_checkov_dockerfile() -> None:
    report = checkov("dockerfile")
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] >= 50
    assert report["summary"]["skipped"] == 0


# --- the manifests' shape -----------------------------------------------------------------


def test_kustomization_lists_every_manifest_and_one_namespace() -> None:
    listed = {path.name for path in manifest_files()}
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk
    namespace = objects()["Namespace"]["metadata"]["name"]
    assert namespace not in {"default", "kube-system"}
    assert kustomization()["namespace"] == namespace
    for kind, document in objects().items():
        if kind != "Namespace":
            assert document["metadata"]["namespace"] == namespace, kind
    labels = objects()["Namespace"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_rolling_update_never_drops_capacity() -> None:
    spec = objects()["Deployment"]["spec"]
    assert spec["strategy"]["type"] == "RollingUpdate"
    assert spec["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    # The HorizontalPodAutoscaler owns the count; a replicas field would reset it on each apply.
    assert "replicas" not in spec
    assert spec["selector"]["matchLabels"] == APP_LABELS
    assert APP_LABELS.items() <= spec["template"]["metadata"]["labels"].items()


def test_probes() -> None:
    probes = container()
    assert probes["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert probes["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert probes["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container()["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]


def test_graceful_termination_outlasts_the_drain() -> None:
    """preStop sleep, then SIGTERM: DRAIN_SECONDS of 503 on /readyz, then up to 20 s of drain."""
    pre_stop = container()["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    pre_stop_s = int(pre_stop[1])
    assert pre_stop_s >= 3
    drain_s = float(objects()["ConfigMap"]["data"].get("DRAIN_SECONDS", "0"))
    needed = pre_stop_s + drain_s + GRACEFUL_TIMEOUT_SECONDS + 3
    assert pod_spec()["terminationGracePeriodSeconds"] >= needed


def test_restricted_security_context() -> None:
    pod = pod_spec()["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] == 10001
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    context = container()["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] == 10001
    assert context["allowPrivilegeEscalation"] is False
    assert context["privileged"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}


def test_no_service_account_token() -> None:
    assert pod_spec()["automountServiceAccountToken"] is False
    account = objects()["ServiceAccount"]
    assert pod_spec()["serviceAccountName"] == account["metadata"]["name"]
    assert account["automountServiceAccountToken"] is False


def test_tmp_is_the_only_writable_path() -> None:
    mounts = container()["volumeMounts"]
    assert mounts == [{"name": "tmp", "mountPath": "/tmp"}]
    (volume,) = pod_spec()["volumes"]
    assert volume["name"] == "tmp"
    assert "sizeLimit" in volume["emptyDir"]


def test_resources_are_bounded() -> None:
    resources = container()["resources"]
    assert set(resources["requests"]) == {"cpu", "memory"}
    assert set(resources["limits"]) == {"cpu", "memory"}
    assert resources["requests"]["memory"] == "128Mi"
    assert resources["limits"]["memory"] == "256Mi"


def test_image_pinned_by_tag() -> None:
    image = container()["image"]
    name, _, tag = image.rpartition(":")
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), image
    assert container()["imagePullPolicy"] == "IfNotPresent"
    (override,) = kustomization()["images"]
    assert override["name"] == name


def test_prometheus_scrapes_metrics() -> None:
    annotations = objects()["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(container()["ports"][0]["containerPort"])
    assert annotations["prometheus.io/path"] == "/metrics"


def test_service_hpa_pdb_networkpolicy() -> None:
    service = objects()["Service"]["spec"]
    assert service["type"] == "ClusterIP"
    assert service["selector"] == APP_LABELS
    assert service["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    ]

    hpa = objects()["HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == objects()["Deployment"]["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"

    pdb = objects()["PodDisruptionBudget"]["spec"]
    assert pdb["selector"]["matchLabels"] == APP_LABELS
    assert pdb["maxUnavailable"] < hpa["spec"]["minReplicas"]

    policy = objects()["NetworkPolicy"]["spec"]
    assert policy["podSelector"]["matchLabels"] == APP_LABELS
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}]}]
    assert policy["egress"] == []


def test_configuration_is_the_services_own_settings() -> None:
    """The ConfigMap holds only variables the service reads, and the container takes all of it."""
    settings = {field.upper() for field in Settings.__struct_fields__}
    config = objects()["ConfigMap"]
    assert set(config["data"]) <= settings
    assert "PARTNER_KEY_SHA256S" not in config["data"], "secrets belong in the Secret"
    assert config["data"]["HOST"] == "0.0.0.0"  # noqa: S104 - the pod's own interface
    assert config["data"]["PORT"] == str(container()["ports"][0]["containerPort"])
    assert container()["envFrom"] == [{"configMapRef": {"name": config["metadata"]["name"]}}]


def test_partner_key_hashes_come_from_an_optional_secret() -> None:
    (variable,) = (env for env in container()["env"] if env["name"] == "PARTNER_KEY_SHA256S")
    reference = variable["valueFrom"]["secretKeyRef"]
    assert reference["optional"] is True
    example = yaml.safe_load((K8S / "examples" / "secret.example.yaml").read_text())
    assert example["metadata"]["name"] == reference["name"]
    assert reference["key"] in example["stringData"]
    # No Secret is applied from the repository: real values are created out of band.
    assert "Secret" not in objects()


# --- the Dockerfile and the docs ------------------------------------------------------------


def test_dockerfile_shape() -> None:
    text = DOCKERFILE.read_text()
    bases = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert len(bases) >= 2, "multi-stage"
    assert len(set(bases)) == 1, "every stage on the same base"
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", bases[0]), bases[0]
    assert "uv sync --locked --no-default-groups" in text
    user = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert user == ["10001:10001"]
    entrypoint = re.search(r"^ENTRYPOINT (.+)$", text, flags=re.MULTILINE)
    assert entrypoint is not None
    assert json.loads(entrypoint.group(1)) == ["python", "-m", "service"], "exec form"
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD \[.*/healthz", text, flags=re.MULTILINE)
    for setting in ("HOST=0.0.0.0", "PORT=8000", "PYTHONDONTWRITEBYTECODE=1", "HOME=/tmp"):
        assert setting in text
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :][:4] == ["*", "!pyproject.toml", "!uv.lock", "!service/"]


def test_docs_list_every_setting() -> None:
    """Every variable the service reads is in the operator's table (docs/deploy.md or README)."""
    docs = DOCS.read_text() + (README.read_text() if README.exists() else "")
    for field in Settings.__struct_fields__:
        assert f"`{field.upper()}`" in docs, field
    for variable in objects()["ConfigMap"]["data"]:
        assert f"`{variable}`" in docs, variable
    assert "`PARTNER_KEY_SHA256S`" in docs
