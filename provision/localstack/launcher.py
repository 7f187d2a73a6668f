"""Install, start, check and stop LocalStack in host mode on 127.0.0.1:4566 (or the address in
``TINYSIM_LOCALSTACK_ENDPOINT``, e.g. ``http://127.0.0.1:4570``, so that several checkouts can each run one).

LocalStack 2026.3.0 needs Python >= 3.12 and a few pins (cbor2 < 6, cryptography < 45, pyOpenSSL < 25,
joserfc < 1.1) to run in host mode; it lives in its own virtualenv under ``.localstack/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from provision.errors import LocalStackError

__all__ = ["ADDRESS", "ENDPOINT", "LocalStack", "health", "running"]

ENDPOINT = os.environ.get("TINYSIM_LOCALSTACK_ENDPOINT", "http://127.0.0.1:4566").rstrip("/")
#: host:port LocalStack listens on
ADDRESS = ENDPOINT.split("//", 1)[-1]
VERSION = "2026.3.0"
PINS = [
    f"localstack-core[runtime]=={VERSION}",
    "cbor2<6",
    "cryptography<45",
    "pyopenssl<25",
    "joserfc<1.1",
    "service_identity",
]
PLUGIN = Path(__file__).with_name("plugin")
#: APIs the community runtime refuses, served instead by the providers package (plus IAM and Lambda, so
#: that moto's CodePipeline sees the roles and functions become Active without Docker).
OVERRIDES = [
    "ECS",
    "ECR",
    "ELBV2",
    "APPLICATION_AUTOSCALING",
    "AUTOSCALING",
    "CODEBUILD",
    "CODEPIPELINE",
    "APIGATEWAYV2",
    "IAM",
    "LAMBDA",
    "SERVICEDISCOVERY",
]


#: LocalStack processes started by this interpreter, kept referenced while they run.
_CHILDREN: list[subprocess.Popen[bytes]] = []


def health(timeout_s: float = 2.0) -> dict[str, object] | None:
    """LocalStack's health document, or None when nothing answers."""
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/_localstack/health", timeout=timeout_s) as r:
            return dict(json.loads(r.read()))
    except (OSError, ValueError):
        return None


def running() -> bool:
    return health() is not None


def _find_python() -> str:
    """A Python >= 3.12 for LocalStack: $LOCALSTACK_PYTHON, python3.13/3.12 on PATH, or pyenv's."""
    candidates = [os.environ.get("LOCALSTACK_PYTHON", ""), "python3.13", "python3.12"]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if root.is_dir():
        for version in sorted(root.iterdir(), reverse=True):
            if version.name.startswith(("3.13", "3.12")):
                candidates.append(str(version / "bin" / "python3"))
    for cand in candidates:
        exe = shutil.which(cand) if cand and "/" not in cand else cand
        if not exe or not Path(exe).exists():
            continue
        ok = subprocess.run([exe, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"], capture_output=True)
        if ok.returncode == 0:
            return exe
    raise LocalStackError("LocalStack needs Python >= 3.12: none found (set LOCALSTACK_PYTHON to one)")


class LocalStack:
    """LocalStack under ``home`` (default ``.localstack`` in the working directory)."""

    def __init__(self, home: str | Path = ".localstack", say: Callable[[str], None] = print) -> None:
        self.home = Path(home).resolve()
        self.venv = self.home / "venv"
        self.pid_file = self.home / "localstack.pid"
        self.log_file = self.home / "localstack.log"
        self.say = say

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def installed(self) -> bool:
        stamp = self.venv / ".tinysim-installed"
        return stamp.exists() and stamp.read_text() == VERSION

    def install(self) -> None:
        if self.installed():
            return
        self.say(f"installing LocalStack {VERSION} into {self.venv} (about a minute, once)")
        py = _find_python()
        steps = [
            [py, "-m", "venv", str(self.venv)],
            [str(self.python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS],
            [str(self.python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(PLUGIN)],
        ]
        for cmd in steps:
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
                raise LocalStackError(f"installing LocalStack failed at `{' '.join(cmd[:4])} ...`: {tail[0]}")
        (self.venv / ".tinysim-installed").write_text(VERSION)

    def start(self, wait_s: float = 90.0) -> None:
        if running():
            self.say(f"LocalStack is already running on {ADDRESS}")
            return
        self.install()
        data = self.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "GATEWAY_LISTEN": ADDRESS,
            "LOCALSTACK_HOST": ADDRESS,
            "DNS_ADDRESS": "0",
            "DISABLE_EVENTS": "1",
            "FILESYSTEM_ROOT": str(data),
            "SKIP_SSL_CERT_DOWNLOAD": "1",
        }
        env.update({f"PROVIDER_OVERRIDE_{api}": "tinysim" for api in OVERRIDES})
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                [str(self.python), "-m", "localstack.runtime.main"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.home,
            )
        self.pid_file.write_text(str(proc.pid))
        _CHILDREN.append(proc)
        deadline = time.time() + wait_s
        while time.time() < deadline:
            if proc.poll() is not None:
                raise LocalStackError(f"LocalStack exited at start (code {proc.returncode}); see {self.log_file}")
            if running():
                self.say(f"LocalStack is running on {ADDRESS} (pid {proc.pid})")
                return
            time.sleep(0.5)
        raise LocalStackError(f"LocalStack did not answer within {wait_s:.0f} s; see {self.log_file}")

    def stop(self) -> None:
        if not self.pid_file.exists():
            self.say("LocalStack was not started from here")
            return
        pid = int(self.pid_file.read_text())
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        ours = [c for c in _CHILDREN if c.pid == pid]
        if ours:  # our own child: wait for it (and reap it)
            try:
                ours[0].wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(pid, signal.SIGKILL)
                ours[0].wait(timeout=10)
            _CHILDREN.remove(ours[0])
        else:  # started by another process: watch the pid
            for _ in range(120):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.25)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        self.say("LocalStack stopped")
