"""One place for every AWS client: boto3 (real AWS) or localstack-client (LocalStack), with botocore's
standard retry mode (which retries throttling) set once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from provision.localstack.launcher import ENDPOINT

__all__ = ["PROBE", "PROBE_TIMEOUT_S", "RETRIES", "Clients"]

#: Every call: 5 s to connect, 20 s to answer (the slowest single call seen, a Lambda create on an
#: emulator, answers in a few seconds), retried by botocore's standard mode (throttling included).
RETRIES = Config(retries={"mode": "standard", "max_attempts": 8}, connect_timeout=5, read_timeout=20)
#: The first call of a run (the credentials check): no retry, so a silent endpoint fails fast.
PROBE_TIMEOUT_S = 10.0
PROBE = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=PROBE_TIMEOUT_S)


class Clients:
    """``clients("ecs")`` -> a cached client for the target. ``wrap`` lets tests put a double around each."""

    def __init__(
        self, target: str, region: str, endpoint_url: str | None = None, wrap: Callable[[str, Any], Any] | None = None
    ) -> None:
        self.target, self.region, self.endpoint_url = target, region, endpoint_url
        self._wrap = wrap
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()
        if target == "localstack":
            from localstack_client.session import Session

            host = (endpoint_url or ENDPOINT).split("//", 1)[-1]
            self._session: Any = Session(
                aws_access_key_id="test",
                aws_secret_access_key="test",
                aws_session_token="test",
                region_name=region,
                localstack_host=host,
            )
        else:
            self._session = boto3.Session(region_name=region)

    def _make(self, service: str, config: Config) -> Any:
        kwargs: dict[str, Any] = {"config": config}
        if self.target != "localstack" and self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        client = self._session.client(service, **kwargs)
        return self._wrap(service, client) if self._wrap is not None else client

    def __call__(self, service: str) -> Any:
        client = self._cache.get(service)
        if client is None:
            with self._lock:  # boto3 does not create clients safely from several threads at once
                client = self._cache.get(service)
                if client is None:
                    client = self._cache[service] = self._make(service, RETRIES)
        return client

    def probe(self, service: str) -> Any:
        """A client that tries once, with a short read timeout (for the first call of a run)."""
        return self._make(service, PROBE)
