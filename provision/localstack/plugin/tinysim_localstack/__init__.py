"""Service providers for LocalStack's community runtime that answer every operation of an API from
LocalStack's bundled moto backends. Selected with PROVIDER_OVERRIDE_<API>=tinysim.

IAM and Lambda are served from moto too, so that moto's CodePipeline sees the roles it is given and
Lambda functions become Active without a container runtime.
"""

from __future__ import annotations

from typing import Any

from localstack.aws.spec import load_service
from localstack.services.moto import call_moto
from localstack.services.plugins import Service, aws_provider

APIS = (
    "ecs",
    "ecr",
    "elbv2",
    "application-autoscaling",
    "autoscaling",
    "codebuild",
    "codepipeline",
    "apigatewayv2",
    "iam",
    "lambda",
)


class MotoBacked:
    """The provider object: only its ``service`` name matters, every call goes to moto."""

    def __init__(self, service: str) -> None:
        self.service = service


def _forward(context: Any, request: Any) -> Any:
    return call_moto(context)


def _dispatch_table(provider: MotoBacked) -> dict[str, Any]:
    return dict.fromkeys(load_service(provider.service).operation_names, _forward)


def _service(api: str) -> Service:
    return Service.for_provider(MotoBacked(api), dispatch_table_factory=_dispatch_table)


@aws_provider(api="ecs", name="tinysim")
def ecs() -> Service:
    return _service("ecs")


@aws_provider(api="ecr", name="tinysim")
def ecr() -> Service:
    return _service("ecr")


@aws_provider(api="elbv2", name="tinysim")
def elbv2() -> Service:
    return _service("elbv2")


@aws_provider(api="application-autoscaling", name="tinysim")
def application_autoscaling() -> Service:
    return _service("application-autoscaling")


@aws_provider(api="autoscaling", name="tinysim")
def autoscaling() -> Service:
    return _service("autoscaling")


@aws_provider(api="codebuild", name="tinysim")
def codebuild() -> Service:
    return _service("codebuild")


@aws_provider(api="codepipeline", name="tinysim")
def codepipeline() -> Service:
    return _service("codepipeline")


@aws_provider(api="apigatewayv2", name="tinysim")
def apigatewayv2() -> Service:
    return _service("apigatewayv2")


@aws_provider(api="iam", name="tinysim")
def iam() -> Service:
    return _service("iam")


@aws_provider(api="lambda", name="tinysim")
def lambda_() -> Service:
    return _service("lambda")


@aws_provider(api="servicediscovery", name="tinysim")
def servicediscovery() -> Service:
    return _service("servicediscovery")
