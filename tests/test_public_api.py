"""Each package's ``__all__`` names what it exports (ruff's RUF022 keeps it sorted)."""

import importlib

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "models",
        "tinysim",
        "tinysim.costs",
        "models.plan",
        "models.usage",
        "models.prices",
        "tinysim.breakeven",
        "tinysim.steady",
        "tinysim.tracefiles",
        "tinysim.logs",
        "tinysim.calibrate",
    ],
)
def test_all_is_real(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(set(exported)) == len(exported)
    for attr in exported:
        assert hasattr(module, attr), f"{name}.{attr}"


def test_models_import_nothing_of_the_engine_or_aws() -> None:
    import subprocess
    import sys

    code = "import models, sys; print([m for m in ('simpy', 'boto3', 'tinysim', 'provision') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
