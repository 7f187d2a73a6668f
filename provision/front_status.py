"""The front door's own plan fields read back from the live stack: the API stage's throttle
(``front_door_throttle``, absent when it is the account's defaults, as a plan without one sets it) and the
ALB's HTTPS listener (``https``)."""

from __future__ import annotations

from typing import Any

from models.front_door import ACCOUNT_DEFAULT_BURST, ACCOUNT_DEFAULT_RPS
from provision.resources import Context, Live, Resource
from provision.services.listeners import Listener

__all__ = ["front_fields"]


def front_fields(ctx: Context, name: str, api: Live | None) -> dict[str, Any]:
    """``front_door_throttle`` from ``api`` (the live HTTP or REST API), or ``https`` from the ALB's :443
    listener (``ctx.outputs`` must hold the ALB's when there is one)."""
    if api is not None:
        stage = api.props.get("stage_settings") or {}
        rps, burst = stage.get("rps"), stage.get("burst")
        if rps is None or (rps, burst) == (ACCOUNT_DEFAULT_RPS, ACCOUNT_DEFAULT_BURST):
            return {}
        return {"front_door_throttle": {"rps": rps, "burst": burst}}
    if "alb" not in ctx.outputs:
        return {}
    https = Listener().find(ctx, Resource("listener-https", "listener", f"{name}-https", {"lb": "alb", "port": 443}))
    if https is None or not https.props.get("certificate"):
        return {}
    return {"https": {"certificate_arn": https.props["certificate"]}}
