"""What the fluid fidelity cannot resolve in a scenario, said to its user.

The fluid kernel integrates the offered rate over each step (60 s, or the shortest alarm period) and
serves a step's requests at the step's mean rate. A burst shorter than a step is spread over the step:
its requests are all counted, but the throttling, the queueing and the cold starts inside it are not (a
one-second burst that Lambda's scaling rate or the API Gateway bucket would throttle is served in full).

Lambda's concurrency in a step is its mean (rate x duration, Little's law). At a sudden rise every new
execution environment is busy with its INIT before its first request (docs.aws.amazon.com/lambda/latest/dg/
lambda-runtime-environment.html), so until the first ones are free each arrival takes another one: the
rise in demand, times (1 + INIT / duration), is briefly concurrent. When that reaches the function's
concurrency limit the request engine throttles at the onset and the fluid kernel does not.
"""

from __future__ import annotations

import numpy as np

from models.blueprint import blueprint
from models.scenario import Scenario, SpikeTraffic, TraceTraffic
from tinysim.fluid_record import step_s
from tinysim.fluid_setup import setup

__all__ = ["resolution_notes"]


def resolution_notes(scenario: Scenario) -> tuple[str, ...]:
    """One line per traffic feature shorter than the fluid step; nothing at request fidelity."""
    if scenario.fidelity != "fluid":
        return ()
    dt = step_s(blueprint(scenario.resolved_plan(), scenario.account))
    traffic = scenario.traffic
    shorter = None
    if isinstance(traffic, SpikeTraffic) and traffic.duration_s < dt:
        shorter = f"traffic.duration_s={traffic.duration_s:g}"
    elif isinstance(traffic, TraceTraffic) and traffic.timestamp_column is None and traffic.interval_s < dt:
        shorter = f"traffic.interval_s={traffic.interval_s}"
    if shorter is None:
        onset = _lambda_onset_note(scenario)
        return () if onset is None else (onset,)
    return (
        f"{shorter} is shorter than the fluid step ({dt:g} s): its requests are spread over the step, so "
        "throttling, queueing and cold starts within it are not resolved; fidelity 'request' resolves them",
    )


def _lambda_onset_note(scenario: Scenario) -> str | None:
    """A note when a rise in a serverless run's demand, with its new environments busy in INIT, reaches the
    function's concurrency limit (reserved concurrency, else the account's) within a step."""
    if scenario.resolved_plan().architecture != "serverless":
        return None
    fs = setup(scenario)
    record = fs.record[0]
    need = fs.rates() * fs.mean_s  # environments busy with requests, the step's mean
    before = np.concatenate([[float(record["provisioned"])], need[:-1]])
    onset = before + np.maximum(0.0, need - before) * (1.0 + fs.init_ms / 1000 / fs.mean_s)
    limit = int(record["limit"])
    i = int(np.argmax(onset))
    if onset[i] < limit:
        return None
    return (
        f"Lambda concurrency: the rise at {i * fs.dt:g} s to {need[i]:.0f} concurrent executions (the step's mean), "
        f"with each new environment in INIT for {fs.init_ms:g} ms first, can briefly need {onset[i]:.0f}, "
        f"beyond the limit of {limit}: the fluid step does not resolve the throttles and cold starts of that "
        "onset; fidelity 'request' resolves them"
    )
