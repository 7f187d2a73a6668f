"""EC2 capacity for the EC2 launch type: a launch template (ECS-optimized AMI, the instance type, the
instance profile, the cluster name in user data), an Auto Scaling group of container instances, an
ECS capacity provider on it, and the group's step policy driven by the cluster CPU alarm (the seed's
rule: average CPU > 70% for five minutes adds an instance)."""

from __future__ import annotations

import base64
import contextlib
from typing import Any

from botocore.exceptions import ClientError

from models.blueprint import RootVolume, StepPolicySpec
from provision.resources import Context, Live, Resource, tags_for
from provision.services.amis import ami_architecture, ecs_ami
from provision.services.base import KindBase, code_of, ec2_tag_spec, kv_tags, owner_of

__all__ = [
    "METADATA",
    "AutoScalingGroup",
    "CapacityProvider",
    "GroupPolicy",
    "LaunchTemplate",
    "metadata_of",
    "root_mapping",
]

#: Instance metadata: session tokens required (IMDSv2), one network hop (containers cannot reach it).
METADATA = {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}


def metadata_of(options: dict[str, Any]) -> str:
    return f"tokens={options.get('HttpTokens', 'optional')},hops={options.get('HttpPutResponseHopLimit', 1)}"


#: The root device of Amazon Linux 2023 AMIs (the ECS-optimized one included): its block device mapping
#: for that name replaces the AMI's own root volume.
#: Source: docs.aws.amazon.com/linux/al2023/ug/ec2.html ("root device ... /dev/xvda")
ROOT_DEVICE = "/dev/xvda"


def _root_volume(mappings: list[dict[str, Any]]) -> RootVolume | None:
    ebs = next((m.get("Ebs", {}) for m in mappings if m.get("DeviceName") == ROOT_DEVICE), None)
    if ebs is None:
        return None
    return RootVolume(ebs.get("VolumeType", "gp2"), int(ebs.get("VolumeSize", 0)), bool(ebs.get("Encrypted", False)))


def root_mapping(volume: RootVolume) -> list[dict[str, Any]]:
    ebs = {
        "VolumeType": volume.volume_type,
        "VolumeSize": volume.size_gib,
        "Encrypted": volume.encrypted,
        "DeleteOnTermination": True,
    }
    return [{"DeviceName": ROOT_DEVICE, "Ebs": ebs}]


class LaunchTemplate(KindBase):
    """props: instance_type, architecture (the type's: x86_64 | arm64, so the ECS-optimized image of
    that architecture), root_volume (the blueprint's RootVolume, the one block device mapping). IMDSv2
    only with a hop limit of 1 (FSBP EC2.8), read and converged on every apply. A change makes a new
    default version."""

    mutable = ("instance_type", "architecture", "metadata", "root_volume")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {**res.props, "metadata": metadata_of(METADATA)}

    def find(self, ctx: Context, res: Resource) -> Live | None:
        ec2 = ctx.clients("ec2")
        try:
            t = ec2.describe_launch_templates(LaunchTemplateNames=[res.name])["LaunchTemplates"][0]
        except ClientError as exc:
            if code_of(exc).startswith("InvalidLaunchTemplateName"):
                return None
            raise
        v = ec2.describe_launch_template_versions(LaunchTemplateId=t["LaunchTemplateId"], Versions=["$Default"])
        data = v["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        return Live(
            "launch_template",
            t["LaunchTemplateId"],
            {
                "instance_type": data.get("InstanceType"),
                "architecture": ami_architecture(ctx, data.get("ImageId")),
                "metadata": metadata_of(data.get("MetadataOptions", {})),
                "root_volume": _root_volume(data.get("BlockDeviceMappings", [])),
            },
            owner_of(t.get("Tags")),
            {"id": t["LaunchTemplateId"], "name": res.name},
        )

    def _data(self, ctx: Context, res: Resource) -> dict[str, Any]:
        user_data = (
            "#!/bin/bash\n"
            f"echo ECS_CLUSTER={ctx.out('cluster', 'name')} >> /etc/ecs/ecs.config\n"
            # tasks in awsvpc mode cannot reach the instance's metadata (and so not its role): ECS agent docs
            "echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config\n"
        )
        return {
            "ImageId": ecs_ami(ctx, res.props["architecture"]),
            "InstanceType": res.props["instance_type"],
            "IamInstanceProfile": {"Arn": ctx.out("instance-profile", "arn")},
            "SecurityGroupIds": [ctx.out("sg-tasks", "group_id")],
            "UserData": base64.b64encode(user_data.encode()).decode(),
            "MetadataOptions": METADATA,
            "BlockDeviceMappings": root_mapping(res.props["root_volume"]),
            "TagSpecifications": [{"ResourceType": "instance", "Tags": kv_tags(tags_for(ctx, res.name))}],
        }

    def create(self, ctx: Context, res: Resource) -> Live:
        t = ctx.clients("ec2").create_launch_template(
            LaunchTemplateName=res.name,
            LaunchTemplateData=self._data(ctx, res),
            TagSpecifications=ec2_tag_spec(ctx, "launch-template", res.name),
        )["LaunchTemplate"]
        return Live(
            "launch_template",
            t["LaunchTemplateId"],
            self.desired(ctx, res),
            ctx.stack,
            {"id": t["LaunchTemplateId"], "name": res.name},
        )

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ec2 = ctx.clients("ec2")
        v = ec2.create_launch_template_version(LaunchTemplateId=live.id, LaunchTemplateData=self._data(ctx, res))
        ec2.modify_launch_template(
            LaunchTemplateId=live.id, DefaultVersion=str(v["LaunchTemplateVersion"]["VersionNumber"])
        )
        live.props.update(self.desired(ctx, res))
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ec2").delete_launch_template(LaunchTemplateId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        got = ctx.clients("ec2").describe_launch_templates(
            Filters=[{"Name": "tag:tinysim:stack", "Values": [ctx.stack]}]
        )["LaunchTemplates"]
        return [Live("launch_template", t["LaunchTemplateId"], {}, ctx.stack, {}) for t in got]


class AutoScalingGroup(KindBase):
    """props: spec (the cluster's ScalableTargetSpec: min, max, and the instances it starts with),
    subnets (keys). A new MaxSize below the group's size lowers its desired capacity to it (and a new
    MinSize above raises it): UpdateAutoScalingGroup does this itself."""

    mutable = ("min", "max")

    def _live(self, g: dict[str, Any]) -> Live:
        return Live(
            "asg",
            g["AutoScalingGroupName"],
            {"min": g["MinSize"], "max": g["MaxSize"]},
            owner_of(g.get("Tags")),
            {"name": g["AutoScalingGroupName"], "arn": g["AutoScalingGroupARN"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[res.name])
        return self._live(got["AutoScalingGroups"][0]) if got["AutoScalingGroups"] else None

    def create(self, ctx: Context, res: Resource) -> Live:
        asg = ctx.clients("autoscaling")
        asg.create_auto_scaling_group(
            AutoScalingGroupName=res.name,
            MinSize=res.props["spec"].min,
            MaxSize=res.props["spec"].max,
            DesiredCapacity=res.props["spec"].desired,
            LaunchTemplate={"LaunchTemplateId": ctx.out("launch-template", "id"), "Version": "$Default"},
            VPCZoneIdentifier=",".join(ctx.out(k, "subnet_id") for k in res.props["subnets"]),
            Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in tags_for(ctx, res.name).items()],
        )
        found = self.find(ctx, res)
        assert found is not None
        return found

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"min": res.props["spec"].min, "max": res.props["spec"].max}

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        want = self.desired_props(ctx, res)
        ctx.clients("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=live.id, MinSize=want["min"], MaxSize=want["max"]
        )
        live.props.update(want)
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("autoscaling").delete_auto_scaling_group(AutoScalingGroupName=live.id, ForceDelete=True)

    def owned(self, ctx: Context) -> list[Live]:
        got = ctx.clients("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
        return [lv for lv in (self._live(g) for g in got) if lv.owner == ctx.stack]


class GroupPolicy(KindBase):
    """props: spec (StepPolicySpec of scope cluster): ``adjustment`` instances (SimpleScaling,
    ChangeInCapacity) when its alarm fires, then ``cooldown_s``."""

    mutable = ("adjustment", "cooldown_s")

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: StepPolicySpec = res.props["spec"]
        return {"adjustment": spec.adjustment, "cooldown_s": spec.cooldown_s}

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("autoscaling").describe_policies(
            AutoScalingGroupName=ctx.out("asg", "name"), PolicyNames=[res.name]
        )["ScalingPolicies"]
        got = [p for p in got if p["PolicyName"] == res.name]  # some emulators ignore the filter
        if not got:
            return None
        props = {"adjustment": got[0].get("ScalingAdjustment"), "cooldown_s": got[0].get("Cooldown")}
        return Live("group_policy", res.name, props, ctx.stack, {"arn": got[0]["PolicyARN"]})

    def create(self, ctx: Context, res: Resource) -> Live:
        ctx.clients("autoscaling").put_scaling_policy(
            AutoScalingGroupName=ctx.out("asg", "name"),
            PolicyName=res.name,
            PolicyType="SimpleScaling",
            AdjustmentType="ChangeInCapacity",
            ScalingAdjustment=res.props["spec"].adjustment,
            Cooldown=res.props["spec"].cooldown_s,
        )
        found = self.find(ctx, res)  # the ARN from a read: some emulators leave it out of the put's answer
        assert found is not None
        return found

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        return self.create(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("autoscaling").delete_policy(AutoScalingGroupName=live.outputs["group"], PolicyName=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        """The group's policies, when the group is known (destroy leaves them to go with the group)."""
        group = ctx.outputs.get("asg", {}).get("name")
        if group is None:
            return []
        got = ctx.clients("autoscaling").describe_policies(AutoScalingGroupName=group)["ScalingPolicies"]
        return [
            Live("group_policy", p["PolicyName"], {}, ctx.stack, {"arn": p["PolicyARN"], "group": group}) for p in got
        ]


class CapacityProvider(KindBase):
    """An ECS capacity provider on the group, attached to the cluster as its default strategy."""

    mutable = ("attached",)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        ecs = ctx.clients("ecs")
        got = ecs.describe_capacity_providers(capacityProviders=[res.name], include=["TAGS"])
        found = [c for c in got.get("capacityProviders", []) if c.get("status") == "ACTIVE"]
        if not found:
            return None
        tags = [{"Key": t["key"], "Value": t["value"]} for t in found[0].get("tags", [])]
        # with the tags, as every DescribeClusters of ours: moto (LocalStack's ECS) keeps "include TAGS" in
        # one dict shared by all requests, so a call without it racing the cluster's lookup hid its tags
        clusters = ecs.describe_clusters(clusters=[ctx.stack], include=["TAGS"])["clusters"]
        attached = any(res.name in c.get("capacityProviders", []) for c in clusters)
        return Live("capacity_provider", res.name, {"attached": attached}, owner_of(tags), {"name": res.name})

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"attached": True}

    def create(self, ctx: Context, res: Resource) -> Live:
        ctx.clients("ecs").create_capacity_provider(
            name=res.name,
            autoScalingGroupProvider={
                "autoScalingGroupArn": ctx.out("asg", "arn"),
                "managedScaling": {"status": "DISABLED"},
            },
            tags=[{"key": k, "value": v} for k, v in tags_for(ctx, res.name).items()],
        )
        live = Live("capacity_provider", res.name, {"attached": False}, ctx.stack, {"name": res.name})
        return self.update(ctx, res, live, ["attached"])

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("ecs").put_cluster_capacity_providers(
            cluster=ctx.out("cluster", "name"),
            capacityProviders=[res.name],
            defaultCapacityProviderStrategy=[{"capacityProvider": res.name, "weight": 1}],
        )
        live.props["attached"] = True
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ecs = ctx.clients("ecs")
        with contextlib.suppress(ClientError):  # the cluster may be gone already
            ecs.put_cluster_capacity_providers(
                cluster=ctx.stack, capacityProviders=[], defaultCapacityProviderStrategy=[]
            )
        ecs.delete_capacity_provider(capacityProvider=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        live = self.find(ctx, Resource("capacity", "capacity_provider", f"{ctx.stack}-capacity"))
        return [live] if live is not None and live.owner == ctx.stack else []
