"""Calibration: from the logs and metrics a team already has to a scenario that replays its traffic
with a fitted workload (service time, payload sizes, connection reuse)."""

from tinysim.calibrate.fit import Candidate, ServiceFit, fit_service_time
from tinysim.calibrate.measure import Calibration, calibrate
from tinysim.calibrate.output import report_text, scenario_data, write_scenario

__all__ = [
    "Calibration",
    "Candidate",
    "ServiceFit",
    "calibrate",
    "fit_service_time",
    "report_text",
    "scenario_data",
    "write_scenario",
]
