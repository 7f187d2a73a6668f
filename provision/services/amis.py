"""Amazon Linux 2023 machine images for an instance type's processor architecture: the ECS-optimized
one for container instances, the plain one for a NAT instance. An arm64 (Graviton) instance type cannot
boot an x86_64 image, so the architecture comes from the instance type (``models.instances``), never
assumed.

The current image ids are AWS's public SSM parameters. Sources:
docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html (ECS-optimized,
``.../amazon-linux-2023/recommended`` and ``.../amazon-linux-2023/arm64/recommended``) and
docs.aws.amazon.com/linux/al2023/ug/ec2.html
(``/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-<arch>``).
Where the parameters are absent (an emulator), Amazon's newest image of the right name and architecture.
"""

from __future__ import annotations

from typing import Literal

from provision.errors import StepFailed
from provision.resources import Context

__all__ = ["ECS_AMI_PARAMETERS", "LINUX_AMI_PARAMETERS", "ami_architecture", "ecs_ami", "linux_ami"]

Architecture = Literal["x86_64", "arm64"]

ECS_AMI_PARAMETERS: dict[str, str] = {
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
}
LINUX_AMI_PARAMETERS: dict[str, str] = {
    "x86_64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    "arm64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
}
#: Image names of the same families (AWS's naming: al2023-ami-ecs-hvm-..., al2023-ami-2023....).
_NAMES = {"ecs": "al2023-ami-ecs-hvm-*", "linux": "al2023-ami-2023*"}


def _image(ctx: Context, parameter: str, family: str, arch: str) -> str:
    got = ctx.clients("ssm").get_parameters(Names=[parameter])["Parameters"]
    if got:
        return str(got[0]["Value"])
    images = ctx.clients("ec2").describe_images(
        Owners=["amazon"],
        Filters=[{"Name": "name", "Values": [_NAMES[family]]}, {"Name": "architecture", "Values": [arch]}],
    )["Images"]
    images = [i for i in images if i.get("Architecture", arch) == arch]  # some emulators ignore the filter
    if not images:
        raise StepFailed(f"no {arch} Amazon Linux 2023 image ({_NAMES[family]}) found in {ctx.region}")
    return str(sorted(images, key=lambda i: i.get("CreationDate", ""))[-1]["ImageId"])


def ecs_ami(ctx: Context, arch: str) -> str:
    """The current ECS-optimized Amazon Linux 2023 image for ``arch`` (x86_64 | arm64). Raises StepFailed."""
    return _image(ctx, ECS_AMI_PARAMETERS[arch], "ecs", arch)


def linux_ami(ctx: Context, arch: str) -> str:
    """The current Amazon Linux 2023 image for ``arch`` (x86_64 | arm64). Raises StepFailed."""
    return _image(ctx, LINUX_AMI_PARAMETERS[arch], "linux", arch)


def ami_architecture(ctx: Context, image_id: str | None) -> str | None:
    """The architecture of a live image (None when it is unknown or gone)."""
    if not image_id:
        return None
    images = ctx.clients("ec2").describe_images(ImageIds=[image_id])["Images"]
    return str(images[0]["Architecture"]) if images and "Architecture" in images[0] else None
