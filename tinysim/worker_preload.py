"""Imported by the sweep workers' fork server (:mod:`tinysim.worker_processes`): tinysim, and the
compiled kernels a request-level forecast uses, loaded once for every worker forked afterwards.

Importing this module runs two minutes of a small stack on the calling thread, with no
background thread (a process that forks must not have any).
"""

from __future__ import annotations

import os

__all__: list[str] = []


def _load_kernels() -> None:
    from models.scenario import Scenario
    from tinysim.arrival_prefetch import no_prefetch
    from tinysim.simulate import simulate

    scenario = Scenario.model_validate(
        {"plan": {"name": "warm-up"}, "traffic": {"kind": "constant", "rps": 50}, "horizon_s": 120}
    )
    with no_prefetch():
        simulate(scenario)


try:
    _load_kernels()
except KeyboardInterrupt:
    # a Ctrl-C at the terminal reaches the server too (it ignores SIGINT only after this import): the
    # sweep that started it is being interrupted, so the server ends quietly, forking no worker
    os._exit(130)
except Exception:  # the workers then load the kernels themselves
    pass
