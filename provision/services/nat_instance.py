"""A NAT instance: one EC2 instance in the first public subnet that forwards the private subnets' traffic
to the internet, in place of a NAT gateway (``network.nat: "instance"``).

As AWS's NAT instance guide says (docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html and
work-with-nat-instances.html): Amazon Linux 2023 with IP forwarding on and an iptables MASQUERADE rule on
its primary interface (user data), a public IPv4 address, **source/destination check off** (it forwards
packets that are not addressed to it), a security group that admits the VPC's traffic only, and the
private route tables' 0.0.0.0/0 pointing at the instance (``RouteTable``). Safe by default: IMDSv2
required with a hop limit of 1 (FSBP EC2.8), an encrypted gp3 root volume, no key pair, no SSH rule.
The image is for the instance type's architecture (arm64 on Graviton), checked on every apply.
"""

from __future__ import annotations

import base64
import contextlib
from typing import Any

from models.blueprint import RootVolume
from provision.resources import STACK_TAG, Context, Live, Resource, tags_for
from provision.services.amis import ami_architecture, linux_ami
from provision.services.base import KindBase, kv_tags, owner_of
from provision.services.capacity import METADATA, metadata_of, root_mapping

__all__ = ["NAT_USER_DATA", "NatInstance"]

#: Turns the instance into a NAT: forwarding on (kept over reboots), masquerade out of the primary
#: interface (its name read from the default route: ens5 on Nitro), the rules saved by iptables-services.
NAT_USER_DATA = """#!/bin/bash
set -euo pipefail
dnf install -y iptables-services
systemctl enable --now iptables
echo 'net.ipv4.ip_forward=1' > /etc/sysctl.d/90-nat.conf
sysctl -p /etc/sysctl.d/90-nat.conf
dev=$(ip route show default | awk '{print $5; exit}')
iptables -t nat -A POSTROUTING -o "$dev" -j MASQUERADE
iptables -F FORWARD
service iptables save
"""

_LIVE_STATES = ["pending", "running", "stopping", "stopped"]


def _tag(item: dict[str, Any], key: str) -> str | None:
    return next((t["Value"] for t in item.get("Tags", []) if t.get("Key") == key), None)


class NatInstance(KindBase):
    """props: instance_type, architecture (of the type: x86_64 | arm64), root_volume (RootVolume).
    Outputs ``nat_id`` (the instance id, the private route's target). A new type of the same
    architecture is applied by stop, modify, start; another architecture replaces the instance."""

    mutable = ("instance_type", "architecture", "source_dest_check", "metadata")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        p = res.props
        return {
            "instance_type": p["instance_type"],
            "architecture": p["architecture"],
            "source_dest_check": False,
            "metadata": metadata_of(METADATA),
        }

    def _live(self, ctx: Context, i: dict[str, Any]) -> Live:
        props = {
            "instance_type": i.get("InstanceType"),
            "architecture": i.get("Architecture") or ami_architecture(ctx, i.get("ImageId")),
            "source_dest_check": bool(i.get("SourceDestCheck", True)),
            "metadata": metadata_of(i.get("MetadataOptions", {})),
        }
        return Live("nat_instance", i["InstanceId"], props, owner_of(i.get("Tags")), {"nat_id": i["InstanceId"]})

    def _instances(self, ctx: Context, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        flt = [*filters, {"Name": "instance-state-name", "Values": _LIVE_STATES}]
        got = ctx.clients("ec2").describe_instances(Filters=flt)["Reservations"]
        return [i for r in got for i in r["Instances"] if i.get("State", {}).get("Name") in _LIVE_STATES]

    def find(self, ctx: Context, res: Resource) -> Live | None:
        found = [
            i for i in self._instances(ctx, [{"Name": "tag:Name", "Values": [res.name]}]) if _tag(i, "Name") == res.name
        ]
        return self._live(ctx, found[0]) if found else None

    def create(self, ctx: Context, res: Resource) -> Live:
        p, ec2 = res.props, ctx.clients("ec2")
        volume: RootVolume = p["root_volume"]
        tags = kv_tags(tags_for(ctx, res.name))
        got = ec2.run_instances(
            ImageId=linux_ami(ctx, p["architecture"]),
            InstanceType=p["instance_type"],
            MinCount=1,
            MaxCount=1,
            NetworkInterfaces=[
                {
                    "DeviceIndex": 0,
                    "SubnetId": ctx.out("subnet-public-0", "subnet_id"),
                    "Groups": [ctx.out("sg-nat", "group_id")],
                    "AssociatePublicIpAddress": True,
                    "DeleteOnTermination": True,
                }
            ],
            MetadataOptions=METADATA,
            BlockDeviceMappings=root_mapping(volume),
            UserData=base64.b64encode(NAT_USER_DATA.encode()).decode(),
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": tags},
                {"ResourceType": "volume", "Tags": tags},
            ],
        )
        instance_id = got["Instances"][0]["InstanceId"]
        with contextlib.suppress(Exception):  # the route needs the instance's interface; running is surer
            ec2.get_waiter("instance_running").wait(
                InstanceIds=[instance_id], WaiterConfig={"Delay": 2, "MaxAttempts": 60}
            )
        ec2.modify_instance_attribute(InstanceId=instance_id, SourceDestCheck={"Value": False})
        return self._reread(ctx, instance_id)

    def _reread(self, ctx: Context, instance_id: str) -> Live:
        got = ctx.clients("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
        live = self._live(ctx, got[0]["Instances"][0])
        live.owner = live.owner or ctx.stack
        return live

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ec2 = ctx.clients("ec2")
        if "architecture" in fields:  # another image: a new instance (the private route follows it)
            self.delete(ctx, live)
            return self.create(ctx, res)
        if "instance_type" in fields:
            ec2.stop_instances(InstanceIds=[live.id])
            ec2.get_waiter("instance_stopped").wait(InstanceIds=[live.id], WaiterConfig={"Delay": 2, "MaxAttempts": 90})
            ec2.modify_instance_attribute(InstanceId=live.id, InstanceType={"Value": res.props["instance_type"]})
            ec2.start_instances(InstanceIds=[live.id])
        if "source_dest_check" in fields:
            ec2.modify_instance_attribute(InstanceId=live.id, SourceDestCheck={"Value": False})
        if "metadata" in fields:
            ec2.modify_instance_metadata_options(
                InstanceId=live.id,
                HttpTokens=METADATA["HttpTokens"],
                HttpPutResponseHopLimit=METADATA["HttpPutResponseHopLimit"],
                HttpEndpoint=METADATA["HttpEndpoint"],
            )
        return self._reread(ctx, live.id)

    def delete(self, ctx: Context, live: Live) -> None:
        ec2 = ctx.clients("ec2")
        ec2.terminate_instances(InstanceIds=[live.id])
        with contextlib.suppress(Exception):  # its interface must be gone before its group and subnet
            ec2.get_waiter("instance_terminated").wait(
                InstanceIds=[live.id], WaiterConfig={"Delay": 2, "MaxAttempts": 90}
            )

    def owned(self, ctx: Context) -> list[Live]:
        """The stack's NAT instance: tagged with the stack and named ``<stack>-nat`` (the container
        instances carry the stack's tag too, under another name)."""
        name = f"{ctx.stack}-nat"
        mine = self._instances(ctx, [{"Name": f"tag:{STACK_TAG}", "Values": [ctx.stack]}])
        return [self._live(ctx, i) for i in mine if _tag(i, STACK_TAG) == ctx.stack and _tag(i, "Name") == name]
