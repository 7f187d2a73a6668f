"""The provisioner's command line without an emulator: connection problems, scaffold, confirmations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from models import Plan

PLAN = Plan(name="cli-check").model_dump_json()


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd
    )


def test_unreachable_endpoint_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(PLAN)
    out = run("plan", str(tmp_path / "plan.json"), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("provision: cannot reach http://127.0.0.1:9"), out.stderr


def test_missing_credentials_on_aws_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(PLAN)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    out = run("status", str(tmp_path / "plan.json"), "--target", "aws", env=env)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "provision: no AWS credentials found in the standard chain (environment, ~/.aws, instance role); "
        "configure them or use --target localstack"
    ]


def test_real_aws_changes_need_yes(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(PLAN)
    out = subprocess.run(
        [sys.executable, "-m", "provision", "apply", str(tmp_path / "plan.json"), "--target", "aws"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 1
    assert out.stderr.strip() == "provision: apply on real AWS needs --yes (or an interactive confirmation)"


def test_scaffold_writes_the_specs_once(tmp_path: Path) -> None:
    out = run("scaffold", str(tmp_path / "app"))
    assert out.returncode == 0
    build = (tmp_path / "app" / "build.yml").read_text()
    assert "docker push" in build and "version: 0.2" in build
    assert "update-service" in (tmp_path / "app" / "release.yml").read_text()
    (tmp_path / "app" / "build.yml").write_text("mine")
    assert run("scaffold", str(tmp_path / "app")).stdout == ""  # existing files are kept
    assert (tmp_path / "app" / "build.yml").read_text() == "mine"


def test_tags_aws_would_refuse_are_reported_before_any_aws_call(tmp_path: Path) -> None:
    # AWS's tag rules (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): "aws:" is reserved,
    # values are at most 256 characters. The endpoint here does not exist: any AWS call would fail differently.
    plan = Plan(name="tags-check", tags={"aws:team": "x", "owner": "v" * 300, "cost center": "ok"})
    (tmp_path / "plan.json").write_text(plan.model_dump_json())
    out = run("apply", str(tmp_path / "plan.json"), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "provision: tags['aws:team']: keys starting with \"aws:\" are reserved by AWS",
        "provision: tags['owner']: value of 300 characters; AWS allows at most 256",
    ]


def test_a_silent_endpoint_fails_within_30_s_with_one_line(tmp_path: Path) -> None:
    """An endpoint that accepts connections and never answers (a hung proxy)."""
    import socket
    import time

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    port = server.getsockname()[1]
    (tmp_path / "plan.json").write_text(PLAN)
    started = time.monotonic()
    try:
        out = run("plan", str(tmp_path / "plan.json"), "--endpoint-url", f"http://127.0.0.1:{port}")
    finally:
        server.close()
    elapsed = time.monotonic() - started
    assert out.returncode == 1 and elapsed < 30, (elapsed, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0] == f"provision: http://127.0.0.1:{port}/ did not answer within 10 s", lines


def test_sigterm_ends_like_ctrl_c(tmp_path: Path) -> None:
    """``kill`` (SIGTERM, what systemd and CI runners send) used to end the process silently by the signal;
    it now ends like Ctrl-C: one line, exit 130."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    server = socket.socket()  # a hung endpoint keeps the command busy
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    port = server.getsockname()[1]
    (tmp_path / "plan.json").write_text(PLAN)
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "provision",
                "plan",
                str(tmp_path / "plan.json"),
                "--endpoint-url",
                f"http://127.0.0.1:{port}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(4)  # loaded and waiting on the endpoint
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        server.close()
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines() == ["provision: interrupted; run apply again to finish, or destroy"], err
