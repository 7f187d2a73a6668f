"""From a ``Plan`` to the ordered resources of its stack (dependencies always come first)."""

from __future__ import annotations

import ipaddress
from typing import Any

from models.plan import Plan
from provision.errors import PlanNotSupported
from provision.policies import policies
from provision.resources import Resource

__all__ = ["LOG_RETENTION_DAYS", "resources_for", "subnet_cidrs"]

#: Every log group of the stack keeps 30 days (FSBP CloudWatch.16 asks for a retention; 30 days is ours).
LOG_RETENTION_DAYS = 30


def subnet_cidrs(vpc_cidr: str, azs: int) -> tuple[list[str], list[str]]:
    """Public and private subnets: the VPC cut in 16 equal blocks, public from the start, private from 8."""
    net = ipaddress.IPv4Network(vpc_cidr)
    blocks = list(net.subnets(new_prefix=net.prefixlen + 4))
    return [str(b) for b in blocks[:azs]], [str(b) for b in blocks[8 : 8 + azs]]


def _network(plan: Plan, azs_names: list[str], private: bool) -> list[Resource]:
    n = plan.network
    name = plan.name
    out = [Resource("vpc", "vpc", f"{name}-vpc", {"cidr": n.vpc_cidr, "existing_vpc_id": n.existing_vpc_id})]
    if n.existing_vpc_id:
        raise PlanNotSupported("network.existing_vpc_id: using an existing VPC is not supported by the provisioner yet")
    public, priv = subnet_cidrs(n.vpc_cidr, n.azs)
    for i, cidr in enumerate(public):
        out.append(
            Resource(f"subnet-public-{i}", "subnet", f"{name}-public-{i}", {"cidr": cidr, "az": azs_names[i]}, ("vpc",))
        )
    out.append(Resource("igw", "igw", f"{name}-igw", {"attached": True}, ("vpc",)))
    public_keys = tuple(f"subnet-public-{i}" for i in range(n.azs))
    out.append(
        Resource(
            "rt-public",
            "route_table",
            f"{name}-public",
            {"target_key": "igw", "target_output": "igw_id", "subnet_keys": public_keys},
            ("igw", *public_keys),
        )
    )
    if private:
        for i, cidr in enumerate(priv):
            out.append(
                Resource(
                    f"subnet-private-{i}", "subnet", f"{name}-private-{i}", {"cidr": cidr, "az": azs_names[i]}, ("vpc",)
                )
            )
        private_keys = tuple(f"subnet-private-{i}" for i in range(n.azs))
        if n.nat == "gateway":
            out.append(Resource("eip", "eip", f"{name}-nat-ip", {}, ("vpc",)))
            out.append(Resource("nat", "nat", f"{name}-nat", {}, ("eip", "subnet-public-0")))
            target = {"target_key": "nat", "target_output": "nat_id"}
        else:
            target = {"target_key": "igw", "target_output": "igw_id"}
        out.append(
            Resource(
                "rt-private",
                "route_table",
                f"{name}-private",
                {**target, "subnet_keys": private_keys},
                (target["target_key"], *private_keys),
            )
        )
    return out


def _alb(plan: Plan, target: dict[str, Any], tg_deps: tuple[str, ...]) -> list[Resource]:
    """Target group, internet-facing ALB in the public subnets, and its HTTP listener."""
    name = plan.name
    public = tuple(f"subnet-public-{i}" for i in range(plan.network.azs))
    return [
        Resource("tg", "target_group", f"{name}-tg", target, tg_deps),
        Resource("alb", "alb", f"{name}-alb", {"subnets": public}, ("sg-front", "igw")),
        Resource("listener", "listener", f"{name}-http", {}, ("alb", "tg")),
    ]


def _access_log(name: str) -> Resource:
    """The HTTP API's access log group."""
    return Resource("log-api", "log_group", f"/tinysim/{name}/api-access", {"retention_days": LOG_RETENTION_DAYS})


def task_subnets(plan: Plan) -> tuple[str, ...]:
    kind = "private" if plan.network.nat != "none" else "public"
    return tuple(f"subnet-{kind}-{i}" for i in range(plan.network.azs))


def resources_for(plan: Plan, azs_names: list[str]) -> list[Resource]:
    """Every resource of the plan's stack, in an order where each comes after what it needs."""
    if plan.network.nat == "instance":
        raise PlanNotSupported(
            "network.nat='instance': a NAT instance is not supported by the provisioner yet; use 'gateway' or 'none'"
        )
    name = plan.name
    pol = policies(plan)
    container = plan.architecture == "container"
    out: list[Resource] = []
    needs_vpc = container or plan.front_door == "alb"
    if needs_vpc:
        out += _network(plan, azs_names, private=container and plan.network.nat != "none")
    out.append(Resource("ecr", "repository", name, {"scan_on_push": True}))
    front_ingress: list[tuple[int, str]] = [(80, "0.0.0.0/0")] if plan.front_door == "alb" else []
    if needs_vpc:
        out.append(
            Resource(
                "sg-front",
                "security_group",
                f"{name}-front",
                {"description": "front door", "ingress": front_ingress},
                ("vpc",),
            )
        )
    if container:
        c = plan.container
        if plan.front_door == "apigw-rest":
            raise PlanNotSupported(
                "front_door='apigw-rest' with containers needs a Network Load Balancer, which the "
                "provisioner does not build yet; use 'apigw-http' or 'alb'"
            )
        out.append(
            Resource(
                "sg-tasks",
                "security_group",
                f"{name}-tasks",
                {"description": "tasks: from the front door only", "ingress": [(c.task.port, "sg-front")]},
                ("vpc", "sg-front"),
            )
        )
        out.append(Resource("log", "log_group", f"/tinysim/{name}", {"retention_days": LOG_RETENTION_DAYS}))
        out.append(Resource("role-exec", "role", f"{name}-task-exec", pol["task-exec"], ("ecr", "log")))
        out.append(Resource("role-task", "role", f"{name}-task", pol["task"]))
        out.append(Resource("cluster", "cluster", name, {}))
        fargate = c.launch_type == "fargate"
        if not fargate:
            out.append(Resource("role-instance", "role", f"{name}-instance", pol["instance"], ("cluster",)))
            out.append(
                Resource(
                    "instance-profile",
                    "instance_profile",
                    f"{name}-instance",
                    {"role": "role-instance"},
                    ("role-instance",),
                )
            )
            out.append(
                Resource(
                    "launch-template",
                    "launch_template",
                    f"{name}-instances",
                    {"instance_type": c.instance_type},
                    ("instance-profile", "sg-tasks", "cluster"),
                )
            )
            out.append(
                Resource(
                    "asg",
                    "asg",
                    f"{name}-instances",
                    {"min": c.instances.min, "max": c.instances.max, "subnets": task_subnets(plan)},
                    ("launch-template", *task_subnets(plan)),
                )
            )
            out.append(Resource("capacity", "capacity_provider", f"{name}-capacity", {}, ("asg", "cluster")))
            sc = c.scaling
            out.append(
                Resource(
                    "asg-out",
                    "group_policy",
                    f"{name}-instances-out",
                    {"change": 1, "cooldown": sc.cooldown_s},
                    ("asg",),
                )
            )
            out.append(
                Resource(
                    "asg-in",
                    "group_policy",
                    f"{name}-instances-in",
                    {"change": -1, "cooldown": sc.cooldown_s},
                    ("asg",),
                )
            )
        out.append(
            Resource(
                "taskdef",
                "task_definition",
                name,
                {
                    "cpu": c.task.cpu_units,
                    "memory": c.task.memory_mb,
                    "image": c.task.image,
                    "port": c.task.port,
                    "compatibility": "FARGATE" if fargate else "EC2",
                },
                ("role-exec", "role-task", "log", "ecr"),
            )
        )
        if plan.front_door == "alb":
            out += _alb(plan, {"target": "ip", "port": c.task.port}, ("vpc",))
            front, front_deps = "alb", ("listener",)
        else:
            out.append(Resource("namespace", "namespace", f"{name}.local", {}, ("vpc",)))
            out.append(Resource("discovery", "discovery_service", name, {}, ("namespace",)))
            out.append(
                Resource(
                    "vpclink",
                    "vpc_link",
                    f"{name}-link",
                    {"subnets": task_subnets(plan)},
                    ("sg-front", *task_subnets(plan)),
                )
            )
            front, front_deps = "discovery", ("discovery",)
        deps = ("cluster", "taskdef", "sg-tasks", *front_deps) + (("capacity",) if not fargate else ())
        out.append(
            Resource(
                "service",
                "service",
                name,
                {
                    "desired": c.tasks.desired,
                    "launch_type": "FARGATE" if fargate else "EC2",
                    "port": c.task.port,
                    "front": front,
                    "subnets": task_subnets(plan),
                },
                deps,
            )
        )
        if plan.front_door != "alb":
            out.append(_access_log(name))
            out.append(
                Resource(
                    "http-api",
                    "http_api",
                    name,
                    {"target": "discovery", "complete": True, "access_log": "log-api"},
                    ("vpclink", "discovery", "service", "log-api"),
                )
            )
        sc = c.scaling
        out.append(
            Resource("scalable-target", "scalable_target", name, {"min": c.tasks.min, "max": c.tasks.max}, ("service",))
        )
        out.append(
            Resource(
                "policy-out",
                "step_policy",
                f"{name}-out",
                {"direction": "out", "step": sc.step, "cooldown": sc.cooldown_s},
                ("scalable-target",),
            )
        )
        out.append(
            Resource(
                "policy-in",
                "step_policy",
                f"{name}-in",
                {"direction": "in", "step": sc.step, "cooldown": sc.cooldown_s},
                ("scalable-target",),
            )
        )
        alarm: dict[str, Any] = {"period_s": sc.period_s, "scope": "service"}
        out.append(
            Resource(
                "alarm-high",
                "alarm",
                f"{name}-cpu-high",
                {
                    **alarm,
                    "threshold": sc.threshold_pct,
                    "above": True,
                    "periods": sc.evaluation_periods,
                    "action": "policy-out",
                },
                ("policy-out",),
            )
        )
        out.append(
            Resource(
                "alarm-low",
                "alarm",
                f"{name}-cpu-low",
                {
                    **alarm,
                    "threshold": sc.scale_in_threshold_pct,
                    "above": False,
                    "periods": sc.scale_in_evaluation_periods,
                    "action": "policy-in",
                },
                ("policy-in",),
            )
        )
        if not fargate:
            cl = {"period_s": sc.period_s, "scope": "cluster"}
            out.append(
                Resource(
                    "alarm-cluster-high",
                    "alarm",
                    f"{name}-cluster-cpu-high",
                    {
                        **cl,
                        "threshold": sc.threshold_pct,
                        "above": True,
                        "periods": sc.evaluation_periods,
                        "action": "asg-out",
                    },
                    ("asg-out", "cluster"),
                )
            )
            out.append(
                Resource(
                    "alarm-cluster-low",
                    "alarm",
                    f"{name}-cluster-cpu-low",
                    {
                        **cl,
                        "threshold": sc.scale_in_threshold_pct,
                        "above": False,
                        "periods": sc.scale_in_evaluation_periods,
                        "action": "asg-in",
                    },
                    ("asg-in", "cluster"),
                )
            )
    else:
        s = plan.serverless
        out.append(Resource("log-fn", "log_group", f"/aws/lambda/{name}", {"retention_days": LOG_RETENTION_DAYS}))
        out.append(Resource("role-lambda", "role", f"{name}-lambda", pol["lambda"], ("ecr", "log-fn")))
        out.append(
            Resource(
                "fn",
                "function",
                name,
                {
                    "memory_mb": s.memory_mb,
                    "timeout_s": s.timeout_s,
                    "package": s.package,
                    "arch": s.arch,
                    "ephemeral_mb": s.ephemeral_storage_mb,
                    "reserved": s.reserved_concurrency,
                },
                ("role-lambda", "ecr"),
            )
        )
        if s.provisioned_concurrency:
            out.append(Resource("provisioned", "provisioned", name, {"count": s.provisioned_concurrency}, ("fn",)))
        principal = "elasticloadbalancing.amazonaws.com" if plan.front_door == "alb" else "apigateway.amazonaws.com"
        if plan.front_door == "alb":  # the target group checks the permission when the function is registered
            tg_arn = f"targetgroup/{name}-tg/*"
            out.append(Resource("permission", "permission", name, {"principal": principal, "source": tg_arn}, ("fn",)))
            out += _alb(plan, {"target": "lambda", "port": 0}, ("vpc", "permission"))
        else:
            api = "http-api" if plan.front_door == "apigw-http" else "rest-api"
            if api == "http-api":
                out.append(_access_log(name))
                props = {"target": "lambda", "complete": True, "access_log": "log-api"}
                out.append(Resource(api, "http_api", name, props, ("fn", "log-api")))
            else:
                out.append(Resource(api, "rest_api", name, {"complete": True}, ("fn",)))
            out.append(
                Resource("permission", "permission", name, {"principal": principal, "source_api": api}, ("fn", api))
            )
    if plan.pipeline.enabled:
        p = plan.pipeline
        out.append(Resource("bucket", "bucket", f"{name}-artifacts-{plan.region}", {}))
        for project in ("build", "release"):
            out.append(
                Resource(
                    f"log-{project}",
                    "log_group",
                    f"/aws/codebuild/{name}-{project}",
                    {"retention_days": LOG_RETENTION_DAYS},
                )
            )
        out.append(Resource("role-build", "role", f"{name}-build", pol["build"], ("bucket", "ecr")))
        out.append(Resource("role-pipeline", "role", f"{name}-pipeline", pol["pipeline"], ("bucket",)))
        env = {"REPOSITORY_URI": "${ecr}", "STACK": name}
        out.append(
            Resource(
                "build",
                "build_project",
                f"{name}-build",
                {"buildspec": p.build_spec, "compute_type": p.compute_type, "env": env, "privileged": True},
                ("role-build", "bucket", "log-build"),
            )
        )
        out.append(
            Resource(
                "release",
                "build_project",
                f"{name}-release",
                {"buildspec": p.release_spec, "compute_type": p.compute_type, "env": env, "privileged": False},
                ("role-build", "bucket", "log-release"),
            )
        )
        out.append(
            Resource(
                "pipeline",
                "pipeline",
                f"{name}-pipeline",
                {"source_key": f"source/{p.repository}/{p.branch}.zip"},
                ("build", "release", "role-pipeline"),
            )
        )
    return out
