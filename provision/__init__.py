"""provision: turn a validated ``Plan`` into the real stack with boto3 (plan, apply, destroy, status).

Speaks ``models`` only; never imports the simulator.
"""

from provision.errors import ProvisionError

__all__ = ["ProvisionError"]
