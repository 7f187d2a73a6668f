"""The network: VPC, subnets, internet gateway, route tables, NAT gateway with its Elastic IP, and
security groups. Every create call carries the stack's tags (TagSpecifications)."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from provision.resources import STACK_TAG, Context, Live, Resource
from provision.services.base import KindBase, code_of, ec2_tag_spec, owner_of

__all__ = ["Eip", "InternetGateway", "NatGateway", "RouteTable", "SecurityGroup", "Subnet", "Vpc"]


def _by_name(ctx: Context, name: str) -> list[dict[str, Any]]:
    return [{"Name": "tag:Name", "Values": [name]}]


def _stack(ctx: Context) -> list[dict[str, Any]]:
    return [{"Name": f"tag:{STACK_TAG}", "Values": [ctx.stack]}]


def _tag(item: dict[str, Any], key: str) -> str | None:
    return next((t["Value"] for t in item.get("Tags", []) if t.get("Key") == key), None)


def named(items: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Keep the items whose Name tag is ``name`` (some emulators ignore tag filters)."""
    return [i for i in items if _tag(i, "Name") == name]


def ours(items: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    return [i for i in items if _tag(i, STACK_TAG) == ctx.stack]


class Vpc(KindBase):
    """The stack's VPC, with DNS resolution and DNS hostnames on (needed by Cloud Map and by interface
    endpoints), read and converged on every apply."""

    mutable = ("dns_support", "dns_hostnames")
    _ATTRS: ClassVar[dict[str, tuple[str, str]]] = {
        "dns_support": ("enableDnsSupport", "EnableDnsSupport"),
        "dns_hostnames": ("enableDnsHostnames", "EnableDnsHostnames"),
    }

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"cidr": res.props["cidr"], "dns_support": True, "dns_hostnames": True}

    def _live(self, v: dict[str, Any], attrs: dict[str, bool] | None = None) -> Live:
        return Live(
            "vpc",
            v["VpcId"],
            {"cidr": v["CidrBlock"], **(attrs or {})},
            owner_of(v.get("Tags")),
            {"vpc_id": v["VpcId"], "cidr": v["CidrBlock"]},
        )

    def _attrs(self, ctx: Context, vpc_id: str) -> dict[str, bool]:
        ec2 = ctx.clients("ec2")
        out = {}
        for prop, (attr, key) in self._ATTRS.items():
            got = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attr)
            out[prop] = bool(got.get(key, {}).get("Value"))
        return out

    def find(self, ctx: Context, res: Resource) -> Live | None:
        if res.props.get("existing_vpc_id"):
            vpcs = ctx.clients("ec2").describe_vpcs(VpcIds=[res.props["existing_vpc_id"]])["Vpcs"]
            live = self._live(vpcs[0])
            live.owner = ctx.stack  # not ours to delete, but ours to use
            return live
        vpcs = named(ctx.clients("ec2").describe_vpcs(Filters=_by_name(ctx, res.name))["Vpcs"], res.name)
        return self._live(vpcs[0], self._attrs(ctx, vpcs[0]["VpcId"])) if vpcs else None

    def create(self, ctx: Context, res: Resource) -> Live:
        ec2 = ctx.clients("ec2")
        v = ec2.create_vpc(CidrBlock=res.props["cidr"], TagSpecifications=ec2_tag_spec(ctx, "vpc", res.name))["Vpc"]
        live = self._live({**v, "Tags": [{"Key": STACK_TAG, "Value": ctx.stack}]}, self._attrs(ctx, v["VpcId"]))
        fields = [k for k in self.mutable if not live.props[k]]
        return self.update(ctx, res, live, fields) if fields else live

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        for prop in fields:  # one attribute per call (the API's rule)
            ctx.clients("ec2").modify_vpc_attribute(VpcId=live.id, **{self._ATTRS[prop][1]: {"Value": True}})
            live.props[prop] = True
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ec2").delete_vpc(VpcId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [self._live(v) for v in ours(ctx.clients("ec2").describe_vpcs(Filters=_stack(ctx))["Vpcs"], ctx)]


class Subnet(KindBase):
    def _live(self, s: dict[str, Any]) -> Live:
        return Live(
            "subnet",
            s["SubnetId"],
            {"cidr": s["CidrBlock"], "az": s["AvailabilityZone"]},
            owner_of(s.get("Tags")),
            {"subnet_id": s["SubnetId"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        subnets = named(ctx.clients("ec2").describe_subnets(Filters=_by_name(ctx, res.name))["Subnets"], res.name)
        return self._live(subnets[0]) if subnets else None

    def create(self, ctx: Context, res: Resource) -> Live:
        s = ctx.clients("ec2").create_subnet(
            VpcId=ctx.out("vpc", "vpc_id"),
            CidrBlock=res.props["cidr"],
            AvailabilityZone=res.props["az"],
            TagSpecifications=ec2_tag_spec(ctx, "subnet", res.name),
        )["Subnet"]
        return self._live({**s, "Tags": [{"Key": STACK_TAG, "Value": ctx.stack}]})

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ec2").delete_subnet(SubnetId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [self._live(s) for s in ours(ctx.clients("ec2").describe_subnets(Filters=_stack(ctx))["Subnets"], ctx)]


class InternetGateway(KindBase):
    def _live(self, g: dict[str, Any]) -> Live:
        vpcs = [a["VpcId"] for a in g.get("Attachments", [])]
        return Live(
            "igw",
            g["InternetGatewayId"],
            {"attached": bool(vpcs)},
            owner_of(g.get("Tags")),
            {"igw_id": g["InternetGatewayId"], "vpcs": vpcs},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        gws = named(
            ctx.clients("ec2").describe_internet_gateways(Filters=_by_name(ctx, res.name))["InternetGateways"], res.name
        )
        return self._live(gws[0]) if gws else None

    def create(self, ctx: Context, res: Resource) -> Live:
        ec2 = ctx.clients("ec2")
        g = ec2.create_internet_gateway(TagSpecifications=ec2_tag_spec(ctx, "internet-gateway", res.name))
        gid = g["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=ctx.out("vpc", "vpc_id"))
        return Live("igw", gid, {"attached": True}, ctx.stack, {"igw_id": gid, "vpcs": [ctx.out("vpc", "vpc_id")]})

    mutable = ("attached",)

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("ec2").attach_internet_gateway(InternetGatewayId=live.id, VpcId=ctx.out("vpc", "vpc_id"))
        live.props["attached"] = True
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ec2 = ctx.clients("ec2")
        for vpc in live.outputs.get("vpcs", []):
            ec2.detach_internet_gateway(InternetGatewayId=live.id, VpcId=vpc)
        ec2.delete_internet_gateway(InternetGatewayId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        gws = ours(ctx.clients("ec2").describe_internet_gateways(Filters=_stack(ctx))["InternetGateways"], ctx)
        return [self._live(g) for g in gws]


class Eip(KindBase):
    def _live(self, a: dict[str, Any]) -> Live:
        return Live("eip", a["AllocationId"], {}, owner_of(a.get("Tags")), {"allocation_id": a["AllocationId"]})

    def find(self, ctx: Context, res: Resource) -> Live | None:
        addrs = named(ctx.clients("ec2").describe_addresses(Filters=_by_name(ctx, res.name))["Addresses"], res.name)
        return self._live(addrs[0]) if addrs else None

    def create(self, ctx: Context, res: Resource) -> Live:
        a = ctx.clients("ec2").allocate_address(
            Domain="vpc", TagSpecifications=ec2_tag_spec(ctx, "elastic-ip", res.name)
        )
        return Live("eip", a["AllocationId"], {}, ctx.stack, {"allocation_id": a["AllocationId"]})

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ec2").release_address(AllocationId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [
            self._live(a) for a in ours(ctx.clients("ec2").describe_addresses(Filters=_stack(ctx))["Addresses"], ctx)
        ]


class NatGateway(KindBase):
    LIVE_STATES = ("pending", "available")

    def _live(self, n: dict[str, Any]) -> Live:
        return Live("nat", n["NatGatewayId"], {}, owner_of(n.get("Tags")), {"nat_id": n["NatGatewayId"]})

    def _list(self, ctx: Context, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        nats = ctx.clients("ec2").describe_nat_gateways(Filters=filters)["NatGateways"]
        return [n for n in nats if n.get("State") in self.LIVE_STATES]

    def _named(self, ctx: Context, name: str) -> list[dict[str, Any]]:
        return named(self._list(ctx, _by_name(ctx, name)), name)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        nats = self._named(ctx, res.name)
        return self._live(nats[0]) if nats else None

    def create(self, ctx: Context, res: Resource) -> Live:
        n = ctx.clients("ec2").create_nat_gateway(
            SubnetId=ctx.out("subnet-public-0", "subnet_id"),
            AllocationId=ctx.out("eip", "allocation_id"),
            TagSpecifications=ec2_tag_spec(ctx, "natgateway", res.name),
        )["NatGateway"]
        return Live("nat", n["NatGatewayId"], {}, ctx.stack, {"nat_id": n["NatGatewayId"]})

    def delete(self, ctx: Context, live: Live) -> None:
        ec2 = ctx.clients("ec2")
        ec2.delete_nat_gateway(NatGatewayId=live.id)
        with contextlib.suppress(Exception):
            ec2.get_waiter("nat_gateway_deleted").wait(
                NatGatewayIds=[live.id], WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )

    def owned(self, ctx: Context) -> list[Live]:
        return [self._live(n) for n in ours(self._list(ctx, _stack(ctx)), ctx)]


class RouteTable(KindBase):
    """A route table with its default route (to the internet gateway or NAT) and subnet associations."""

    mutable = ("target", "subnets")

    def _live(self, ctx: Context | None, t: dict[str, Any]) -> Live:
        target = next(
            (
                r.get("GatewayId") or r.get("NatGatewayId")
                for r in t.get("Routes", [])
                if r.get("DestinationCidrBlock") == "0.0.0.0/0"
            ),
            None,
        )
        subnets = sorted(a["SubnetId"] for a in t.get("Associations", []) if a.get("SubnetId"))
        assoc = {a["SubnetId"]: a["RouteTableAssociationId"] for a in t.get("Associations", []) if a.get("SubnetId")}
        return Live(
            "route_table",
            t["RouteTableId"],
            {"target": target, "subnets": subnets},
            owner_of(t.get("Tags")),
            {"route_table_id": t["RouteTableId"], "associations": assoc},
        )

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        target = ctx.out(res.props["target_key"], res.props["target_output"])
        subnets = sorted(ctx.out(k, "subnet_id") for k in res.props["subnet_keys"])
        return {"target": target, "subnets": subnets}

    def find(self, ctx: Context, res: Resource) -> Live | None:
        tables = named(
            ctx.clients("ec2").describe_route_tables(Filters=_by_name(ctx, res.name))["RouteTables"], res.name
        )
        return self._live(ctx, tables[0]) if tables else None

    def create(self, ctx: Context, res: Resource) -> Live:
        t = ctx.clients("ec2").create_route_table(
            VpcId=ctx.out("vpc", "vpc_id"), TagSpecifications=ec2_tag_spec(ctx, "route-table", res.name)
        )
        live = self._live(ctx, {**t["RouteTable"], "Tags": [{"Key": STACK_TAG, "Value": ctx.stack}]})
        return self.update(ctx, res, live, ["target", "subnets"])

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ec2 = ctx.clients("ec2")
        want = self.desired(ctx, res)
        if live.props.get("target") != want["target"]:
            key = "GatewayId" if want["target"].startswith("igw-") else "NatGatewayId"
            try:
                ec2.create_route(RouteTableId=live.id, DestinationCidrBlock="0.0.0.0/0", **{key: want["target"]})
            except ClientError as exc:
                if code_of(exc) != "RouteAlreadyExists":
                    raise
                ec2.replace_route(RouteTableId=live.id, DestinationCidrBlock="0.0.0.0/0", **{key: want["target"]})
        for subnet in want["subnets"]:
            if subnet not in live.props.get("subnets", []):
                ec2.associate_route_table(RouteTableId=live.id, SubnetId=subnet)
        table = ec2.describe_route_tables(RouteTableIds=[live.id])["RouteTables"][0]
        return self._live(ctx, table)

    def delete(self, ctx: Context, live: Live) -> None:
        ec2 = ctx.clients("ec2")
        for assoc in live.outputs.get("associations", {}).values():
            ec2.disassociate_route_table(AssociationId=assoc)
        ec2.delete_route_table(RouteTableId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        tables = ours(ctx.clients("ec2").describe_route_tables(Filters=_stack(ctx))["RouteTables"], ctx)
        return [self._live(ctx, t) for t in tables]


class SecurityGroup(KindBase):
    """A security group with its ingress rules: from CIDRs or from another group of the stack."""

    mutable = ("ingress",)

    def _rules(self, perms: list[dict[str, Any]]) -> list[str]:
        out = []
        for p in perms:
            port = f"{p.get('IpProtocol')}:{p.get('FromPort')}-{p.get('ToPort')}"
            out += [f"{port}<{r['CidrIp']}" for r in p.get("IpRanges", [])]
            out += [f"{port}<{g['GroupId']}" for g in p.get("UserIdGroupPairs", [])]
        return sorted(out)

    def _live(self, g: dict[str, Any]) -> Live:
        return Live(
            "security_group",
            g["GroupId"],
            {"ingress": self._rules(g.get("IpPermissions", []))},
            owner_of(g.get("Tags")),
            {"group_id": g["GroupId"]},
        )

    def desired_rules(self, ctx: Context, res: Resource) -> list[str]:
        rules = []
        for port, source in res.props["ingress"]:
            src = ctx.out(source, "group_id") if not source[0].isdigit() else source
            rules.append(f"tcp:{port}-{port}<{src}")
        return sorted(rules)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        groups = ctx.clients("ec2").describe_security_groups(
            Filters=[
                {"Name": "group-name", "Values": [res.name]},
                {"Name": "vpc-id", "Values": [ctx.out("vpc", "vpc_id")]},
            ]
        )["SecurityGroups"]
        return self._live(groups[0]) if groups else None

    def create(self, ctx: Context, res: Resource) -> Live:
        g = ctx.clients("ec2").create_security_group(
            GroupName=res.name,
            Description=res.props["description"],
            VpcId=ctx.out("vpc", "vpc_id"),
            TagSpecifications=ec2_tag_spec(ctx, "security-group", res.name),
        )
        live = Live("security_group", g["GroupId"], {"ingress": []}, ctx.stack, {"group_id": g["GroupId"]})
        return self.update(ctx, res, live, ["ingress"])

    @staticmethod
    def _permission(rule: str) -> dict[str, Any]:
        """``tcp:443-443<0.0.0.0/0`` (or ``<sg-...``) as an IpPermissions entry."""
        ports, src = rule.split("<")
        proto, span = ports.split(":")
        lo, hi = (int(x) for x in span.split("-"))
        perm: dict[str, Any] = {"IpProtocol": proto, "FromPort": lo, "ToPort": hi}
        perm["IpRanges" if src[0].isdigit() else "UserIdGroupPairs"] = (
            [{"CidrIp": src}] if src[0].isdigit() else [{"GroupId": src}]
        )
        return perm

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        """Authorize the plan's rules the group lacks and revoke those the plan no longer has (a port
        closed when ``https`` is dropped), so the group converges both ways."""
        ec2 = ctx.clients("ec2")
        wanted = self.desired_rules(ctx, res)
        for rule in wanted:
            if rule not in live.props["ingress"]:
                ec2.authorize_security_group_ingress(GroupId=live.id, IpPermissions=[self._permission(rule)])
        extra = [self._permission(rule) for rule in live.props["ingress"] if rule not in wanted]
        if extra:
            ec2.revoke_security_group_ingress(GroupId=live.id, IpPermissions=extra)
        g = ec2.describe_security_groups(GroupIds=[live.id])["SecurityGroups"][0]
        return self._live(g)

    def delete(self, ctx: Context, live: Live) -> None:
        ec2 = ctx.clients("ec2")
        perms = ec2.describe_security_groups(GroupIds=[live.id])["SecurityGroups"][0].get("IpPermissions", [])
        if perms:  # drop references to other groups first, so the groups can go in any order
            try:
                ec2.revoke_security_group_ingress(GroupId=live.id, IpPermissions=perms)
            except ClientError as exc:
                if "NotFound" not in code_of(exc):  # a referenced group already gone: nothing to revoke
                    raise
        ec2.delete_security_group(GroupId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        groups = ours(ctx.clients("ec2").describe_security_groups(Filters=_stack(ctx))["SecurityGroups"], ctx)
        return [self._live(g) for g in groups]
