"""deploy/: the Kubernetes manifest of a sharded fleet is valid against the Kubernetes
schema (PyPI kubernetes-validate, offline, strict: no unknown fields), and its Indexed
Job runs one `--shard $(JOB_COMPLETION_INDEX)/N` per completion; the Dockerfile has the
shape the image needs (its binary is built the same way and run by
`test_static_binary.py`; the image itself is not built here: no container registry is
reachable for its base images)."""

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
MANIFEST = DEPLOY / "k8s" / "fleet-job.yaml"
KUBERNETES = "1.37.0"


def documents():
    return [d for d in yaml.safe_load_all(MANIFEST.read_text()) if d]


@pytest.mark.parametrize("doc", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_manifest_is_valid_against_the_kubernetes_schema(doc):
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_validator_refuses_a_broken_job():
    (job,) = [d for d in documents() if d["kind"] == "Job"]
    job["spec"]["completions"] = "four"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES, strict=True)
    job["spec"]["completions"] = 4
    job["spec"]["template"]["spec"]["containers"][0]["cpus"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES, strict=True)


def test_the_job_runs_one_shard_per_index():
    (job,) = [d for d in documents() if d["kind"] == "Job"]
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    (container,) = spec["template"]["spec"]["containers"]
    args = container["args"]
    assert args[0] == "run"
    (shard,) = [a for a in args if a.startswith("--shard")]
    match = re.fullmatch(r"--shard=\$\(JOB_COMPLETION_INDEX\)/(\d+)", shard)
    assert match, shard
    assert spec["completions"] == spec["parallelism"] == int(match.group(1))
    limits, requests = container["resources"]["limits"], container["resources"]["requests"]
    assert {"cpu", "memory"} <= limits.keys() and {"cpu", "memory"} <= requests.keys()
    summary = [a for a in args if a.startswith("--summary-json=")]
    assert summary and "$(JOB_COMPLETION_INDEX)" in summary[0], "one summary file per shard"


def test_the_dockerfile_builds_evc_into_an_empty_image():
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM \S+ AS build$", text, re.M)
    assert "cargo build --release --locked -p evc" in text
    assert re.search(r"^FROM scratch$", text, re.M)
    assert re.search(r'^ENTRYPOINT \["/evc"\]$', text, re.M)
