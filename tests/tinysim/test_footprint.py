"""The memory check before a request-level run (``tinysim.footprint``)."""

from __future__ import annotations

import pytest

from models import Scenario
from tinysim import footprint
from tinysim.errors import RunTooLarge
from tinysim.traffic import rate_function


def _scenario(rps: float) -> Scenario:
    return Scenario.model_validate({"traffic": {"kind": "constant", "rps": rps}, "horizon_s": 600})


def test_a_small_run_does_not_read_the_machine_and_a_large_one_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable() -> float:
        raise AssertionError("read")

    monkeypatch.setattr(footprint, "available_memory_bytes", unreadable)
    small = _scenario(100)  # 100/s x 60 s x 100 B + 600 s x 24 B: about 0.6 MB
    assert footprint.estimate_bytes(small, rate_function(small.traffic)) <= footprint.ALWAYS_FITS_BYTES
    footprint.check_fits(small, rate_function(small.traffic))
    monkeypatch.setattr(footprint, "available_memory_bytes", lambda: 2.0**30)
    large = _scenario(2_000_000)  # 2e6/s x 60 s x 100 B: about 11.2 GiB
    with pytest.raises(RunTooLarge, match=r"11\.2 GiB"):
        footprint.check_fits(large, rate_function(large.traffic))
