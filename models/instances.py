"""EC2 instance types an ECS cluster may use: size, and for burstable types the CPU credit rules.

Specs are from the EC2 instance-type pages (docs.aws.amazon.com/ec2/latest/instancetypes/gp.html and
.../burstable-credits-baseline-concepts.html). Prices live in the price books, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ECS_RESERVED_MEMORY_MIB", "INSTANCE_TYPES", "NAT_INSTANCE_TYPE", "InstanceType"]

#: Memory we keep back on each container instance for the OS and the ECS agent; a task must fit in the
#: rest. An assumption of ours (the registered memory of an ECS-optimized AMI is a little below nominal).
ECS_RESERVED_MEMORY_MIB = 128


@dataclass(frozen=True)
class InstanceType:
    """One EC2 instance type as ECS sees it: CPU units (1,024 per vCPU) and memory."""

    name: str
    vcpus: int
    memory_mib: int
    #: Burstable (T family): baseline CPU per vCPU in percent and credits earned per hour.
    baseline_pct_per_vcpu: float | None = None
    credits_per_hour: float | None = None
    #: The processor architecture AMIs must be built for: AWS Graviton types (the ``g`` after the
    #: generation: t4g, m7g, c7g) are ``arm64``. Source: docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
    #: (Processor: AWS Graviton2/Graviton3) and .../ec2/latest/instancetypes/ec2-instance-type-specifications.html
    architecture: Literal["x86_64", "arm64"] = "x86_64"

    @property
    def cpu_units(self) -> int:
        return self.vcpus * 1024

    @property
    def task_memory_mib(self) -> int:
        return self.memory_mib - ECS_RESERVED_MEMORY_MIB

    @property
    def burstable(self) -> bool:
        return self.baseline_pct_per_vcpu is not None

    @property
    def max_credit_balance(self) -> float:
        """Earned credits accrue up to 24 hours' worth."""
        return 24 * (self.credits_per_hour or 0.0)


INSTANCE_TYPES: dict[str, InstanceType] = {
    t.name: t
    for t in (
        InstanceType("t3.nano", 2, 512, 5.0, 6.0),
        InstanceType("t3.micro", 2, 1024, 10.0, 12.0),
        InstanceType("t3.small", 2, 2048, 20.0, 24.0),
        InstanceType("t3.medium", 2, 4096, 20.0, 24.0),
        InstanceType("t3.large", 2, 8192, 30.0, 36.0),
        InstanceType("t3.xlarge", 4, 16384, 40.0, 96.0),
        InstanceType("t3.2xlarge", 8, 32768, 40.0, 192.0),
        InstanceType("m3.medium", 1, 3840),
        InstanceType("m3.large", 2, 7680),
        InstanceType("m5.large", 2, 8192),
        InstanceType("m5.xlarge", 4, 16384),
        InstanceType("c5.large", 2, 4096),
        InstanceType("c5.xlarge", 4, 8192),
        # Graviton (arm64) and current generations; the T4g credit rules are the T3 ones
        InstanceType("t4g.nano", 2, 512, 5.0, 6.0, architecture="arm64"),
        InstanceType("t4g.micro", 2, 1024, 10.0, 12.0, architecture="arm64"),
        InstanceType("t4g.small", 2, 2048, 20.0, 24.0, architecture="arm64"),
        InstanceType("t4g.medium", 2, 4096, 20.0, 24.0, architecture="arm64"),
        InstanceType("t4g.large", 2, 8192, 30.0, 36.0, architecture="arm64"),
        InstanceType("t4g.xlarge", 4, 16384, 40.0, 96.0, architecture="arm64"),
        InstanceType("m7g.medium", 1, 4096, architecture="arm64"),
        InstanceType("m7g.large", 2, 8192, architecture="arm64"),
        InstanceType("m7g.xlarge", 4, 16384, architecture="arm64"),
        InstanceType("c7g.medium", 1, 2048, architecture="arm64"),
        InstanceType("c7g.large", 2, 4096, architecture="arm64"),
        InstanceType("c7g.xlarge", 4, 8192, architecture="arm64"),
        InstanceType("m7i.large", 2, 8192),
        InstanceType("m7i.xlarge", 4, 16384),
        InstanceType("c7i.large", 2, 4096),
        InstanceType("c7i.xlarge", 4, 8192),
    )
}

#: The NAT instance's default type: the smallest Graviton burstable type (2 vCPUs, 0.5 GiB, up to 5 Gbps),
#: enough for a small stack's egress. Source: docs.aws.amazon.com/ec2/latest/instancetypes/gp.html (T4g).
NAT_INSTANCE_TYPE = "t4g.nano"
