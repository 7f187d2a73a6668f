"""ECS: the cluster, the task definition (a new revision when it changes) and the service.

The service's desired count is set when it is created and never again: after that it belongs to
Application Auto Scaling, and a re-apply must not fight it."""

from __future__ import annotations

from typing import Any

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, owner_of

__all__ = ["UNRELEASED_TAG", "Cluster", "Service", "TaskDefinition", "released_image"]


def _ecs_tags(ctx: Context, name: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags_for(ctx, name).items()]


def _owner(tags: list[dict[str, str]]) -> str | None:
    return owner_of([{"Key": t["key"], "Value": t["value"]} for t in tags])


def _front_names(lbs: list[dict[str, Any]], registries: list[dict[str, Any]]) -> list[str]:
    """What sends the service its requests, comparable: ``alb:<target group ARN>``, ``discovery:<ARN>``."""
    return [f"alb:{lb.get('targetGroupArn')}" for lb in lbs] + [f"discovery:{r.get('registryArn')}" for r in registries]


class Cluster(KindBase):
    def find(self, ctx: Context, res: Resource) -> Live | None:
        found = ctx.clients("ecs").describe_clusters(clusters=[res.name], include=["TAGS"])["clusters"]
        found = [c for c in found if c.get("status") == "ACTIVE"]
        if not found:
            return None
        c = found[0]
        return Live(
            "cluster",
            c["clusterName"],
            {},
            _owner(c.get("tags", [])),
            {"name": c["clusterName"], "arn": c["clusterArn"]},
        )

    def create(self, ctx: Context, res: Resource) -> Live:
        c = ctx.clients("ecs").create_cluster(clusterName=res.name, tags=_ecs_tags(ctx, res.name))["cluster"]
        return Live("cluster", res.name, {}, ctx.stack, {"name": res.name, "arn": c["clusterArn"]})

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ecs").delete_cluster(cluster=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        live = self.find(ctx, Resource("cluster", "cluster", ctx.stack))
        return [live] if live is not None and live.owner == ctx.stack else []


#: The tag a new stack's task definition and function name before the pipeline's first release: the
#: repository's tags are immutable and every build pushes its own, so no build ever pushes this one.
UNRELEASED_TAG = "unreleased"


def released_image(image: str, repository_uri: str) -> bool:
    """Is ``image`` one of the stack's own repository's images (any tag or digest the release chose)?"""
    return image.startswith((f"{repository_uri}:", f"{repository_uri}@"))


class TaskDefinition(KindBase):
    """props: cpu, memory, image, port, compatibility (EC2|FARGATE), and the keys of its roles and log group.

    With no image in the plan the task runs the stack's own repository's image that the pipeline's
    release registered (a new revision naming its build's unique tag): any image of that repository
    reads as the plan's empty image, and a new revision made by apply keeps it."""

    mutable = ("cpu", "memory", "image", "port", "compatibility")

    def _live(self, td: dict[str, Any], tags: list[dict[str, str]]) -> Live:
        c = td["containerDefinitions"][0]
        props = {
            "cpu": int(td.get("cpu", 0)),
            "memory": int(td.get("memory", 0)),
            "image": c["image"],
            "port": c["portMappings"][0]["containerPort"],
            "compatibility": td["requiresCompatibilities"][0],
        }
        return Live(
            "task_definition",
            td["family"],
            props,
            _owner(tags),
            {"arn": td["taskDefinitionArn"], "family": td["family"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        ecs = ctx.clients("ecs")
        arns = ecs.list_task_definitions(familyPrefix=res.name, status="ACTIVE")["taskDefinitionArns"]
        arns = [a for a in arns if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == res.name]
        if not arns:
            return None
        latest = max(arns, key=lambda a: int(a.rsplit(":", 1)[-1]))  # the newest revision
        got = ecs.describe_task_definition(taskDefinition=latest, include=["TAGS"])
        live = self._live(got["taskDefinition"], got.get("tags", []))
        live.outputs["image"] = image = live.props["image"]
        uri = ctx.outputs.get("ecr", {}).get("uri")  # not known when listing what the stack owns
        if not res.props.get("image") and uri and released_image(image, uri):
            live.props["image"] = ""  # the pipeline's choice within the stack's repository
        return live

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return dict(res.props)

    def create(self, ctx: Context, res: Resource, keep_image: str = "") -> Live:
        p = res.props
        image = p["image"] or keep_image or f"{ctx.out('ecr', 'uri')}:{UNRELEASED_TAG}"
        got = ctx.clients("ecs").register_task_definition(
            family=res.name,
            networkMode="awsvpc",
            requiresCompatibilities=[p["compatibility"]],
            cpu=str(p["cpu"]),
            memory=str(p["memory"]),
            executionRoleArn=ctx.out("role-exec", "arn"),
            taskRoleArn=ctx.out("role-task", "arn"),
            tags=_ecs_tags(ctx, res.name),
            containerDefinitions=[
                {
                    "name": "app",
                    "image": image,
                    "essential": True,
                    "portMappings": [{"containerPort": p["port"], "protocol": "tcp"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": ctx.out("log", "name"),
                            "awslogs-region": ctx.region,
                            "awslogs-stream-prefix": "app",
                        },
                    },
                }
            ],
        )
        return self._live(got["taskDefinition"], got.get("tags", []) or _ecs_tags(ctx, res.name))

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        kept = str(live.outputs.get("image", ""))
        keep = kept if not res.props["image"] and released_image(kept, ctx.out("ecr", "uri")) else ""
        return self.create(ctx, res, keep)  # a new revision, still running the released image

    def delete(self, ctx: Context, live: Live) -> None:
        ecs = ctx.clients("ecs")
        for arn in ecs.list_task_definitions(familyPrefix=live.id, status="ACTIVE")["taskDefinitionArns"]:
            ecs.deregister_task_definition(taskDefinition=arn)

    def owned(self, ctx: Context) -> list[Live]:
        live = self.find(ctx, Resource("taskdef", "task_definition", ctx.stack))
        return [live] if live is not None and live.owner == ctx.stack else []


class Service(KindBase):
    """props: desired (on create only), launch_type, port, front (alb|discovery), subnets (keys), cluster
    key. The task definition, the front door (target group or Cloud Map service) and the subnets are
    converged by UpdateService, which changes a rolling-deployment service's load balancers and service
    registries in place (an empty list removes them: ECS API reference, UpdateService)."""

    mutable = ("task_definition", "front", "subnets")

    def _live(self, s: dict[str, Any]) -> Live:
        vpc = s.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
        props = {
            "task_definition": s["taskDefinition"],
            "front": _front_names(s.get("loadBalancers") or [], s.get("serviceRegistries") or []),
            "subnets": sorted(vpc.get("subnets", [])),
        }
        return Live(
            "service",
            s["serviceName"],
            props,
            _owner(s.get("tags", [])),
            {
                "name": s["serviceName"],
                "arn": s["serviceArn"],
                "desired": s["desiredCount"],
                "cluster": s["clusterArn"].rsplit("/", 1)[-1],
            },
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("ecs").describe_services(
            cluster=ctx.out("cluster", "name"), services=[res.name], include=["TAGS"]
        )["services"]
        got = [s for s in got if s.get("status") == "ACTIVE"]
        return self._live(got[0]) if got else None

    def _front(self, ctx: Context, res: Resource) -> dict[str, list[dict[str, Any]]]:
        port = res.props["port"]
        if res.props["front"] == "alb":
            lb = {"targetGroupArn": ctx.out("tg", "arn"), "containerName": "app", "containerPort": port}
            return {"loadBalancers": [lb], "serviceRegistries": []}
        registry = {"registryArn": ctx.out("discovery", "arn"), "port": port}
        return {"loadBalancers": [], "serviceRegistries": [registry]}

    def _network(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {
            "awsvpcConfiguration": {
                "subnets": [ctx.out(k, "subnet_id") for k in res.props["subnets"]],
                "securityGroups": [ctx.out("sg-tasks", "group_id")],
                "assignPublicIp": "DISABLED",
            }
        }

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        front = self._front(ctx, res)
        return {
            "task_definition": ctx.out("taskdef", "arn"),
            "front": _front_names(front["loadBalancers"], front["serviceRegistries"]),
            "subnets": sorted(ctx.out(k, "subnet_id") for k in res.props["subnets"]),
        }

    def create(self, ctx: Context, res: Resource) -> Live:
        p = res.props
        kwargs: dict[str, Any] = {
            "cluster": ctx.out("cluster", "name"),
            "serviceName": res.name,
            "taskDefinition": ctx.out("taskdef", "arn"),
            "desiredCount": p["desired"],
            "tags": _ecs_tags(ctx, res.name),
            "propagateTags": "SERVICE",
            "networkConfiguration": self._network(ctx, res),
        }
        if p["launch_type"] == "FARGATE":
            kwargs["launchType"] = "FARGATE"
        else:
            kwargs["capacityProviderStrategy"] = [{"capacityProvider": ctx.out("capacity", "name"), "weight": 1}]
        kwargs.update({k: v for k, v in self._front(ctx, res).items() if v})
        s = ctx.clients("ecs").create_service(**kwargs)["service"]
        return self._live({**s, "tags": kwargs["tags"]})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        # never desiredCount: the autoscaler owns it after create
        kwargs: dict[str, Any] = {"taskDefinition": ctx.out("taskdef", "arn")}
        if "front" in fields:
            kwargs.update(self._front(ctx, res))
        if "subnets" in fields:
            kwargs["networkConfiguration"] = self._network(ctx, res)
        s = ctx.clients("ecs").update_service(cluster=ctx.out("cluster", "name"), service=res.name, **kwargs)
        return self._live({**s["service"], "tags": [{"key": "tinysim:stack", "value": ctx.stack}]})

    def delete(self, ctx: Context, live: Live) -> None:
        ecs = ctx.clients("ecs")
        cluster = live.outputs.get("cluster") or ctx.stack
        ecs.update_service(cluster=cluster, service=live.id, desiredCount=0)
        ecs.delete_service(cluster=cluster, service=live.id, force=True)

    def owned(self, ctx: Context) -> list[Live]:
        ecs = ctx.clients("ecs")
        try:
            arns = ecs.list_services(cluster=ctx.stack)["serviceArns"]
        except Exception:
            return []
        if not arns:
            return []
        got = ecs.describe_services(cluster=ctx.stack, services=arns, include=["TAGS"])["services"]
        return [self._live(s) for s in got if s.get("status") == "ACTIVE" and _owner(s.get("tags", [])) == ctx.stack]
