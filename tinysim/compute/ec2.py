"""The EC2 capacity under an ECS cluster: instances that boot, hold a fixed number of tasks, and
earn and spend CPU credits (burstable types, unlimited mode: a negative balance is surplus)."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.instances import InstanceType

__all__ = ["Cluster", "Instance"]


@dataclass
class Instance:
    id: int
    launched_s: float
    state: str = "booting"  # booting -> ready -> terminated
    tasks: set[int] = field(default_factory=set)


@dataclass
class Cluster:
    """Instances of one type; ``tasks_per_instance`` from task CPU units and memory."""

    itype: InstanceType
    tasks_per_instance: int
    instances: list[Instance] = field(default_factory=list)
    credit_balance: float = 0.0
    surplus_credits: float = 0.0  # borrowed and not yet paid back by earnings; billed at the end

    def launch(self, now_s: float) -> Instance:
        inst = Instance(len(self.instances), now_s)
        self.instances.append(inst)
        return inst

    @property
    def alive(self) -> list[Instance]:
        return [i for i in self.instances if i.state != "terminated"]

    @property
    def ready(self) -> list[Instance]:
        return [i for i in self.instances if i.state == "ready"]

    def room(self) -> Instance | None:
        """A ready instance with a free task slot (the fullest first, like ECS binpack)."""
        fits = [i for i in self.ready if len(i.tasks) < self.tasks_per_instance]
        return max(fits, key=lambda i: (len(i.tasks), -i.id)) if fits else None

    def settle_credits(self, seconds: float, used_vcpu_s: float) -> None:
        """Earn credits for ``seconds`` on every ready instance and spend one per vCPU-minute used."""
        if self.itype.credits_per_hour is None:
            return
        n = len(self.ready)
        net = n * self.itype.credits_per_hour * seconds / 3600 - used_vcpu_s / 60
        if net >= 0:  # earnings pay back surplus first, then fill the balance up to its cap
            repay = min(self.surplus_credits, net)
            self.surplus_credits -= repay
            self.credit_balance = min(n * self.itype.max_credit_balance, self.credit_balance + net - repay)
        else:  # unlimited mode: spend the balance, then borrow surplus credits
            spend = min(self.credit_balance, -net)
            self.credit_balance -= spend
            self.surplus_credits += -net - spend
