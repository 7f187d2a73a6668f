"""Front doors: API Gateway (HTTP or REST API) and the Application Load Balancer."""

from tinysim.frontdoor.alb import Alb
from tinysim.frontdoor.apigw import ApiGateway

__all__ = ["Alb", "ApiGateway", "FrontDoor", "front_door"]

FrontDoor = ApiGateway | Alb


def front_door(kind: str, overhead_ms: float | None, throttle_rps: float, burst: float) -> FrontDoor:
    """The front door a plan names (``apigw-http``, ``apigw-rest`` or ``alb``)."""
    if kind == "alb":
        return Alb(overhead_ms=overhead_ms)
    return ApiGateway(
        kind="http" if kind == "apigw-http" else "rest", overhead_ms=overhead_ms, throttle_rps=throttle_rps, burst=burst
    )
