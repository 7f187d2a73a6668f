"""The provisioner's public functions: plan, apply, destroy and read back a stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from models.plan import Plan
from provision.errors import ConnectionProblem, ForeignArn
from provision.executor import Change, apply, destroy, diff
from provision.existing_vpc import borrow_network
from provision.graph import resources_for
from provision.localstack.launcher import ENDPOINT, running
from provision.lock import Holder, Intents, force_unlock, stack_lock
from provision.resources import Context, Resource
from provision.session import PROBE_TIMEOUT_S, Clients
from provision.status import LiveStack, read_stack
from provision.tagging import check_tags

__all__ = [
    "apply_plan",
    "connect",
    "destroy_stack",
    "localstack_running",
    "outputs_of",
    "plan_changes",
    "read_status",
    "unlock_stack",
]

Say = Callable[[str], None]


def localstack_running() -> bool:
    """Does LocalStack answer on its endpoint (127.0.0.1:4566 unless TINYSIM_LOCALSTACK_ENDPOINT says)?"""
    return running()


def connect(
    plan: Plan,
    target: str = "localstack",
    endpoint_url: str | None = None,
    region: str | None = None,
    wrap: Callable[[str, Any], Any] | None = None,
) -> Context:
    """A context for the plan's stack, after checking the plan's tags (before any AWS call), then that
    credentials and the endpoint work (one call, failing within ``PROBE_TIMEOUT_S`` on a silent endpoint).

    Raises TagsRejected, ConnectionProblem."""
    check_tags(plan.tags)
    region = region or plan.region
    clients = Clients(target, region, endpoint_url or (ENDPOINT if target == "localstack" else None), wrap)
    try:
        identity = clients.probe("sts").get_caller_identity()
    except NoCredentialsError:
        raise ConnectionProblem(
            "no AWS credentials found in the standard chain (environment, ~/.aws, instance "
            "role); configure them or use --target localstack"
        ) from None
    except EndpointConnectionError as exc:
        raise ConnectionProblem(
            f"cannot reach {exc.kwargs.get('endpoint_url', 'the endpoint')}: is it running? "
            "(python -m provision localstack start)"
        ) from None
    except (ReadTimeoutError, ConnectTimeoutError) as exc:
        raise ConnectionProblem(
            f"{exc.kwargs.get('endpoint_url', 'the endpoint')} did not answer within {PROBE_TIMEOUT_S:.0f} s"
        ) from None
    except (ClientError, BotoCoreError) as exc:
        raise ConnectionProblem(f"the endpoint refused the credentials check: {exc}") from None
    return Context(clients, plan.name, region, dict(plan.tags), account=str(identity.get("Account", "")))


def _zones(ctx: Context, n: int) -> list[str]:
    zones = ctx.clients("ec2").describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])
    names = sorted(z["ZoneName"] for z in zones["AvailabilityZones"])
    if len(names) < n:
        raise ConnectionProblem(f"network.azs={n}: region {ctx.region} has only {len(names)} zones")
    return names[:n]


def _foreign_arns(plan: Plan, ctx: Context) -> list[str]:
    """ARNs the plan names in another account than the caller's (``ctx.account``, from STS): the
    CodeConnections connection (a pipeline cannot use another account's connection:
    docs.aws.amazon.com/dtconsole/latest/userguide/welcome-connections.html) and the ACM certificate
    (a listener takes only its account's: docs.aws.amazon.com/elasticloadbalancing/latest/application/
    https-listener-certificates.html). No call: the account is in the ARN."""
    arns = (
        ("pipeline.source.connection_arn", plan.pipeline.source.connection_arn),
        ("https.certificate_arn", plan.https.certificate_arn if plan.https else None),
    )
    out = []
    for path, arn in arns:
        if arn is not None and ctx.account and arn.split(":")[4] != ctx.account:
            out.append(f"{path}={arn!r}: is in account {arn.split(':')[4]}; use one of account {ctx.account}")
    return out


def _resources(plan: Plan, ctx: Context) -> list[Resource]:
    """The plan's resources; ARNs and an existing VPC are checked first (read calls only) and the VPC's
    network handed to them. Raises ForeignArn or VpcUnfit naming every problem."""
    foreign = _foreign_arns(plan, ctx)
    if foreign:
        raise ForeignArn(foreign)
    resources = resources_for(plan, _zones(ctx, plan.network.azs))
    if plan.network.existing_vpc_id is not None:
        ctx.outputs.update(borrow_network(ctx, plan).outputs())
    return resources


def plan_changes(plan: Plan, ctx: Context) -> list[Change]:
    """What apply would change (no AWS writes)."""
    return diff(ctx, _resources(plan, ctx), Intents(ctx))


def apply_plan(
    plan: Plan, target: str = "localstack", progress: Say = print, ctx: Context | None = None
) -> dict[str, Any]:
    """Create or update the stack under its lock; returns its outputs (endpoint, repository, names).

    Raises StackLocked (nothing changed), StackCollision (found before the first change), StepFailed."""
    ctx = ctx or connect(plan, target)
    resources = _resources(plan, ctx)
    with stack_lock(ctx, progress):
        apply(ctx, resources, progress, Intents(ctx))
    return outputs_of(plan, ctx)


def unlock_stack(ctx: Context) -> Holder | None:
    """Remove the stack's lock whoever holds it (``--force-unlock``); returns who held it."""
    return force_unlock(ctx)


def outputs_of(plan: Plan, ctx: Context) -> dict[str, Any]:
    o = ctx.outputs
    out: dict[str, Any] = {"stack": plan.name, "ecr_repository_uri": o.get("ecr", {}).get("uri")}
    if "alb" in o:
        out["endpoint"] = f"{'https' if plan.https else 'http'}://{o['alb'].get('dns')}"  # HTTP only redirects
    elif "http-api" in o:
        out["endpoint"] = o["http-api"].get("endpoint")
    elif "rest-api" in o:
        out["endpoint"] = o["rest-api"].get("endpoint")
    if plan.architecture == "container":
        out["cluster"], out["service"] = plan.name, plan.name
    else:
        out["function"] = plan.name
    if "pipeline" in o:
        out["pipeline"] = f"{plan.name}-pipeline"
    return out


def destroy_stack(ctx: Context, progress: Say = print) -> int:
    """Delete everything the stack owns, under its lock; safe to repeat. Returns how many were deleted."""
    with stack_lock(ctx, progress):
        return destroy(ctx, progress, Intents(ctx))


def read_status(ctx: Context, plan: Plan | None = None) -> LiveStack | None:
    """The live stack: as a plan, and its control plane in the blueprint's types (None when nothing of
    it exists). ``plan`` lends the control plane's keys; a live value outside what a plan may hold is
    named in ``outside_plan``, never an error."""
    return read_stack(ctx, plan)
