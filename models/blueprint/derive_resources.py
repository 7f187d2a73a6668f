"""The plan's resources: everything that exists once the stack is built, each with what bills it.

The provisioner builds exactly this list (in the order its ``deps`` allow) and the bill's fixed items are
priced from it. Resources AWS creates on its own when another is created (the Route 53 hosted zone of a
Cloud Map DNS namespace, the alarms of a target tracking policy) are listed too, with ``made_by`` naming
the resource that makes them: they bill, but the provisioner does not create them.
"""

from __future__ import annotations

from dataclasses import replace

from models.blueprint.control import AlarmSpec
from models.blueprint.derive_alerts import alert_resources
from models.blueprint.derive_control import control_plane
from models.blueprint.derive_front import https_listener, nlb_front, rest_api
from models.blueprint.resources import Billed, RootVolume, StackResource
from models.plan import Plan

__all__ = ["INTERFACE_ENDPOINT_SERVICES", "NAT_ROOT_VOLUME", "ROOT_VOLUME", "stack_resources", "task_subnet_keys"]

#: The root EBS volume of every container instance, set explicitly in the launch template's block device
#: mapping: gp3, encrypted, 30 GiB - the size of the ECS-optimized Amazon Linux 2023 AMI's own root
#: volume ("the Amazon ECS-optimized Amazon Linux 2023 AMI ships with a single 30-GiB root volume",
#: docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-ami-storage-config.html).
ROOT_VOLUME = RootVolume(volume_type="gp3", size_gib=30, encrypted=True)

#: The NAT instance's root EBS volume, set in its block device mapping: gp3, encrypted, 8 GiB - the size
#: of the Amazon Linux 2023 AMI's own root volume (its snapshot is 8 GiB: docs.aws.amazon.com/linux/al2023/
#: ug/ec2.html; a mapping smaller than the snapshot is refused).
NAT_ROOT_VOLUME = RootVolume(volume_type="gp3", size_gib=8, encrypted=True)

#: Interface endpoints the tasks use instead of the NAT gateway when ``network.vpc_endpoints`` is set
#: (ECR's API and registry, CloudWatch Logs); the S3 gateway endpoint (image layers) is free.
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs")


def _r(key: str, kind: str, name: str, deps: tuple[str, ...] = (), *billed: Billed) -> StackResource:
    return StackResource(key=key, kind=kind, name=name, deps=deps, billed=tuple(billed))


def task_subnet_keys(plan: Plan) -> tuple[str, ...]:
    """Where tasks and container instances run: private subnets behind a NAT, public ones without."""
    kind = "private" if plan.network.nat != "none" else "public"
    return tuple(f"subnet-{kind}-{i}" for i in range(plan.network.azs))


def _public(plan: Plan) -> tuple[str, ...]:
    return tuple(f"subnet-public-{i}" for i in range(plan.network.azs))


def _network(plan: Plan, private: bool) -> list[StackResource]:
    """VPC, public subnets with an internet gateway, and (for tasks) private subnets behind the NAT."""
    n, name = plan.network, plan.name
    out = [_r("vpc", "vpc", f"{name}-vpc")]
    out += [_r(k, "subnet", f"{name}-public-{i}", ("vpc",)) for i, k in enumerate(_public(plan))]
    out.append(_r("igw", "igw", f"{name}-igw", ("vpc",)))
    out.append(_r("rt-public", "route_table", f"{name}-public", ("igw", *_public(plan))))
    if not private:
        return out
    private_keys = tuple(f"subnet-private-{i}" for i in range(n.azs))
    out += [_r(k, "subnet", f"{name}-private-{i}", ("vpc",)) for i, k in enumerate(private_keys)]
    target = "igw"
    if n.nat == "gateway":
        out.append(_r("eip", "eip", f"{name}-nat-ip", ("vpc",), Billed("public_ipv4")))
        out.append(_r("nat", "nat", f"{name}-nat", ("eip", "subnet-public-0"), Billed("nat_gateway")))
        target = "nat"
    elif n.nat == "instance":  # one NAT instance (network.nat_instance_type) with a public address
        out.append(_r("sg-nat", "security_group", f"{name}-nat", ("vpc",)))
        billed = (Billed("nat_instance", root_volume=NAT_ROOT_VOLUME), Billed("public_ipv4"))
        out.append(_r("nat", "nat_instance", f"{name}-nat", ("sg-nat", "subnet-public-0"), *billed))
        target = "nat"
    out.append(_r("rt-private", "route_table", f"{name}-private", (target, *private_keys)))
    return out


def _endpoints(plan: Plan) -> list[StackResource]:
    """Interface endpoints in every task subnet (billed per endpoint and zone) behind their own security
    group (HTTPS from the tasks), and the S3 gateway endpoint on the tasks' route table (free)."""
    subnets = task_subnet_keys(plan)
    out = [_r("sg-endpoints", "security_group", f"{plan.name}-endpoints", ("vpc", "sg-tasks"))]
    out += [
        _r(
            f"endpoint-{svc.replace('.', '-')}",
            "vpc_endpoint",
            f"{plan.name}-{svc.replace('.', '-')}",
            ("sg-endpoints", *subnets),
            Billed("vpc_endpoint", plan.network.azs),
        )
        for svc in INTERFACE_ENDPOINT_SERVICES
    ]
    tables = ("rt-private",) if plan.network.nat != "none" else ("rt-public",)
    out.append(_r("endpoint-s3", "vpc_endpoint", f"{plan.name}-s3", tables))
    return out


def _alb(plan: Plan, tg_deps: tuple[str, ...]) -> list[StackResource]:
    """Target group, internet-facing ALB (one public IPv4 address per zone) and its HTTP listener."""
    name = plan.name
    return [
        _r("tg", "target_group", f"{name}-tg", tg_deps),
        _r(
            "alb",
            "alb",
            f"{name}-alb",
            ("sg-front", "igw"),
            Billed("load_balancer"),
            Billed("public_ipv4", plan.network.azs),
        ),
        _r("listener", "listener", f"{name}-http", ("alb", "tg")),
        *https_listener(plan),
    ]


def _access_log(plan: Plan) -> StackResource:
    return _r("log-api", "log_group", f"/tinysim/{plan.name}/api-access", (), Billed("log_group"))


def _instances(plan: Plan) -> list[StackResource]:
    """EC2 launch type: instance role and profile, launch template, Auto Scaling group, capacity provider."""
    name, subnets = plan.name, task_subnet_keys(plan)
    return [
        _r("role-instance", "role", f"{name}-instance", ("cluster",)),
        _r("instance-profile", "instance_profile", f"{name}-instance", ("role-instance",)),
        _r("launch-template", "launch_template", f"{name}-instances", ("instance-profile", "sg-tasks", "cluster")),
        _r(
            "asg",
            "asg",
            f"{name}-instances",
            ("launch-template", *subnets),
            Billed("container_instances"),
            Billed("instance_root_volume", root_volume=ROOT_VOLUME),
        ),
        _r("capacity", "capacity_provider", f"{name}-capacity", ("asg", "cluster")),
    ]


def _alarm(spec: AlarmSpec, deps: tuple[str, ...]) -> StackResource:
    made_by = spec.policy_key if spec.managed_by == "target_tracking" else None
    return StackResource(spec.key, "alarm", spec.name, deps, (Billed("alarm"),), made_by)


def _control(plan: Plan) -> list[StackResource]:
    """Scalable target, policies, scheduled actions and alarms, from the control plane."""
    cp = control_plane(plan)
    out = [_r("scalable-target", "scalable_target", plan.name, ("service",))]
    for p in cp.step_policies:
        if p.scope == "service":
            out.append(_r(p.key, "step_policy", p.name, ("scalable-target",)))
        else:
            out.append(_r(p.key, "group_policy", p.name, ("asg",)))
    if cp.target_tracking is not None:
        alb = ("tg", "listener") if cp.target_tracking.metric == "ALBRequestCountPerTarget" else ()
        out.append(
            _r(cp.target_tracking.key, "target_tracking_policy", cp.target_tracking.name, ("scalable-target", *alb))
        )
    for a in cp.scheduled:
        out.append(_r(f"schedule-{a.name}", "scheduled_action", a.name, ("scalable-target",)))
    for alarm in cp.alarms:
        deps = (alarm.policy_key,) if alarm.scope == "service" else (alarm.policy_key, "cluster")
        out.append(_alarm(alarm, deps))
    return out


def _container(plan: Plan) -> list[StackResource]:
    c, name = plan.container, plan.name
    fargate = c.launch_type == "fargate"
    out = [
        _r("sg-tasks", "security_group", f"{name}-tasks", ("vpc", "sg-front")),
        _r("log", "log_group", f"/tinysim/{name}", (), Billed("log_group")),
        _r("role-exec", "role", f"{name}-task-exec", ("ecr", "log")),
        _r("role-task", "role", f"{name}-task"),
        _r("cluster", "cluster", name),
    ]
    if not fargate:
        out += _instances(plan)
    out.append(_r("taskdef", "task_definition", name, ("role-exec", "role-task", "log", "ecr")))
    if plan.front_door == "alb":
        out += _alb(plan, ("vpc",))
        front_deps: tuple[str, ...] = ("listener",)
    elif plan.front_door == "apigw-rest":
        out += nlb_front(plan, task_subnet_keys(plan))
        front_deps = ("nlb-listener",)
    else:
        out.append(_r("namespace", "namespace", f"{name}.local", ("vpc",)))
        zone = _r("namespace-zone", "hosted_zone", f"{name}.local", ("namespace",), Billed("hosted_zone"))
        out.append(replace(zone, made_by="namespace"))
        out.append(_r("discovery", "discovery_service", name, ("namespace",)))
        out.append(_r("vpclink", "vpc_link", f"{name}-link", ("sg-front", *task_subnet_keys(plan))))
        front_deps = ("discovery",)
    deps = ("cluster", "taskdef", "sg-tasks", *front_deps) + (() if fargate else ("capacity",))
    out.append(_r("service", "service", name, deps, *(() if not fargate else (Billed("fargate_tasks"),))))
    if plan.front_door == "apigw-http":
        out.append(_access_log(plan))
        out.append(_r("http-api", "http_api", name, ("vpclink", "discovery", "service", "log-api"), Billed("api")))
    elif plan.front_door == "apigw-rest":
        out += rest_api(plan, ("service",))
    if plan.network.vpc_endpoints:
        out += _endpoints(plan)
    return out + _control(plan)


def _serverless(plan: Plan) -> list[StackResource]:
    name = plan.name
    out = [
        _r("log-fn", "log_group", f"/aws/lambda/{name}", (), Billed("log_group")),
        _r("role-lambda", "role", f"{name}-lambda", ("ecr", "log-fn")),
        _r("fn", "function", name, ("role-lambda", "ecr"), Billed("function")),
    ]
    if plan.serverless.provisioned_concurrency:
        out.append(_r("provisioned", "provisioned", name, ("fn",)))
    if plan.front_door == "alb":  # the target group checks the permission when the function is registered
        out.append(_r("permission", "permission", name, ("fn",)))
        return out + _alb(plan, ("vpc", "permission"))
    if plan.front_door == "apigw-http":
        out.append(_access_log(plan))
        out.append(_r("http-api", "http_api", name, ("fn", "log-api"), Billed("api")))
        api = "http-api"
    else:
        out += rest_api(plan, ("fn",))
        api = "rest-api"
    out.append(_r("permission", "permission", name, ("fn", api)))
    return out


def _pipeline(plan: Plan) -> list[StackResource]:
    name = plan.name
    out = [_r("bucket", "bucket", f"{name}-artifacts-{plan.region}", (), Billed("bucket"))]
    out += [
        _r(f"log-{p}", "log_group", f"/aws/codebuild/{name}-{p}", (), Billed("log_group")) for p in ("build", "release")
    ]
    out.append(_r("role-build", "role", f"{name}-build", ("bucket", "ecr")))
    out.append(_r("role-pipeline", "role", f"{name}-pipeline", ("bucket",)))
    for p in ("build", "release"):
        out.append(_r(p, "build_project", f"{name}-{p}", ("role-build", "bucket", f"log-{p}"), Billed("build_project")))
    out.append(
        _r("pipeline", "pipeline", f"{name}-pipeline", ("build", "release", "role-pipeline"), Billed("pipeline"))
    )
    return out


def stack_resources(plan: Plan) -> tuple[StackResource, ...]:
    """Every resource of ``plan``'s stack, each after the resources it depends on.

    A serverless stack behind API Gateway has no VPC (and so no NAT gateway); a serverless stack behind
    an ALB has a VPC with public subnets only. With ``network.existing_vpc_id`` the stack makes no
    network of its own (dependencies on it are dropped)."""
    container = plan.architecture == "container"
    out: list[StackResource] = []
    own_vpc = (container or plan.front_door == "alb") and plan.network.existing_vpc_id is None
    if own_vpc:
        out += _network(plan, private=container and plan.network.nat != "none")
    out.append(_r("ecr", "repository", plan.name, (), Billed("repository")))
    if container or plan.front_door == "alb":
        out.append(_r("sg-front", "security_group", f"{plan.name}-front", ("vpc",)))
    out += _container(plan) if container else _serverless(plan)
    if plan.pipeline.enabled:
        out += _pipeline(plan)
    out += alert_resources(plan)
    keys = {r.key for r in out}
    return tuple(replace(r, deps=tuple(d for d in r.deps if d in keys)) for r in out)
