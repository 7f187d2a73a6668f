"""The recommender: the cheapest configuration of a search space that meets an SLO at a chosen
confidence, found with fluid sweeps over seeds (traffic futures) and confirmed at request level.

A configuration meets the SLO when, over the seeds, its p99 at the confidence quantile is at most the
target and its availability at the (1 - confidence) quantile is at least the target. Among those the
one with the lowest median monthly cost wins, once a request-level run agrees.

A space is user input: a value that makes a configuration invalid is refused before anything runs
(``InputError``, one line per bad value, e.g. ``space.plan.container.scaling.target_value=0: must be
> 0``). A configuration that fails while running is left out of the search and named in
``Recommendation.failed`` (or ``NoConfigurationMeetsSlo.failed``), one line each, as a sweep names its
failed rows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from models.errors import InputError
from models.plan import Plan
from models.scenario import Scenario
from models.validation import show_value
from tinysim.errors import NoConfigurationMeetsSlo
from tinysim.simulate import simulate
from tinysim.sweep import expand_grid, sweep

__all__ = ["Candidate", "Recommendation", "recommend"]


@dataclass(frozen=True)
class Candidate:
    """One configuration's standing: its grid values, cost and SLO metrics over the seeds."""

    config: int
    values: dict[str, Any]
    monthly_usd: Decimal  # median over seeds
    p99_ms: float  # at the confidence quantile
    availability: float  # at the (1 - confidence) quantile
    meets_slo: bool
    reason: str = ""


@dataclass(frozen=True)
class Recommendation:
    """The chosen plan, the runner-up and why it lost, and the per-configuration table."""

    plan: Plan
    chosen: Candidate
    runner_up: Candidate | None  # the next configuration meeting the SLO: it costs more
    cheaper_miss: Candidate | None  # the best cheaper configuration, and the SLO it misses
    confirmed: dict[str, Any]
    table: pd.DataFrame = field(repr=False)
    failed: tuple[str, ...] = ()  # one line per configuration that failed while running, left out

    def as_json(self) -> dict[str, Any]:
        def cand(c: Candidate | None) -> dict[str, Any] | None:
            if c is None:
                return None
            return {
                "values": c.values,
                "monthly_usd": str(c.monthly_usd),
                "p99_ms": c.p99_ms,
                "availability": c.availability,
                "meets_slo": c.meets_slo,
                "reason": c.reason,
            }

        return {
            "chosen": cand(self.chosen),
            "runner_up": cand(self.runner_up),
            "cheaper_miss": cand(self.cheaper_miss),
            "confirmed": self.confirmed,
            "failed": list(self.failed),
            "plan": self.plan.model_dump(mode="json"),
        }


def _standing(table: pd.DataFrame, keys: list[str], slo: Mapping[str, float], confidence: float) -> list[Candidate]:
    out = []
    failed = set(table.loc[table["error"] != "", "config"])
    ok = table[~table["config"].isin(failed)]
    for config, group in ok.groupby("config", sort=True):
        p99 = group["p99_ms"].astype(float).to_numpy()
        avail = group["availability"].astype(float).to_numpy()
        worst = np.where(np.isnan(p99), 1e12, p99)  # no request served in time counts as unbounded
        p99_q = float(np.quantile(worst, confidence))
        p99_q = math.inf if p99_q >= 1e12 else p99_q
        avail_q = float(np.quantile(avail, 1 - confidence))
        micro = np.asarray(group["monthly_micro_usd"], dtype=np.int64)
        cost = Decimal(int(np.median(micro))) / Decimal(1_000_000)
        misses = []
        if "p99_ms" in slo and not p99_q <= slo["p99_ms"]:
            shown = "unbounded (overloaded)" if math.isinf(p99_q) else f"{p99_q:.1f} ms"
            misses.append(f"p99 {shown} > {slo['p99_ms']:g} ms at P{round(confidence * 100)}")
        if "availability" in slo and not avail_q >= slo["availability"]:
            misses.append(f"availability {avail_q:.5f} < {slo['availability']:g} at P{round((1 - confidence) * 100)}")
        values = {k: _plain(group[k].iloc[0]) for k in keys}
        out.append(
            Candidate(
                int(str(config)),
                values,
                cost.quantize(Decimal("0.01")),
                p99_q,
                avail_q,
                not misses,
                "misses the SLO: " + "; ".join(misses) if misses else "",
            )
        )
    return out


def _shown(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={show_value(_plain(v))}" for k, v in values.items())


#: Where one validation problem ends and the next (``field=value: rule``) begins in a joined error.
_NEXT_PROBLEM = re.compile(r"; (?=[\w.\[\]]+[=:])")


def _invalid_space(points: Sequence[tuple[dict[str, Any], Scenario | None, str]]) -> list[str]:
    """One line per distinct problem of the configurations that fail validation: ``space.<field>=<value>:
    <rule>`` when the problem names a field the space sets, else the configuration's values and the rule."""
    lines: list[str] = []
    for values, scenario, error in points:
        if scenario is not None:
            continue
        for problem in _NEXT_PROBLEM.split(error):
            named = any(re.match(re.escape(k) + r"[=\[.]", problem) for k in values)
            line = f"space.{problem}" if named else f"space configuration {_shown(values)}: {problem}"
            if line not in lines:
                lines.append(line)
    return lines


def _failed_points(table: pd.DataFrame, keys: list[str]) -> tuple[str, ...]:
    """One line per configuration with a point that failed while running: its values and the error."""
    bad = table[table["error"] != ""].drop_duplicates("config")
    return tuple(
        f"space configuration {_shown({k: row[k] for k in keys})}: {row['error']}" for _, row in bad.iterrows()
    )


def _plain(value: Any) -> Any:
    """NumPy scalars as Python values (for JSON and for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def recommend(
    scenario: Scenario,
    slo: Mapping[str, float],
    space: Mapping[str, Sequence[Any]],
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    confidence: float = 0.9,
    finalists: int = 3,
    confirm: bool = True,
    confirm_horizon_s: int = 86_400,
    executor: str | Any = "inprocess",
    progress: bool = False,
) -> Recommendation:
    """The cheapest configuration in ``space`` meeting ``slo`` ({"p99_ms": ..., "availability": ...}).

    Raises ``InputError`` (before any run) for a bad SLO, confidence or space value, one line each;
    ``NoConfigurationMeetsSlo`` when no configuration that ran meets the SLO (its ``failed`` names those
    that failed while running). Configurations that failed while running are in ``failed`` of the result.
    """
    unknown = sorted(set(slo) - {"p99_ms", "availability"})
    if unknown or not slo:
        raise InputError([f"slo={dict(slo)!r}: give p99_ms and/or availability (unknown: {unknown})"])
    if not 0.5 <= confidence < 1:
        raise InputError([f"confidence={confidence}: must be in [0.5, 1)"])
    invalid = _invalid_space(expand_grid(scenario.model_copy(update={"fidelity": "fluid"}), space))
    if invalid:  # a space is user input: refuse it whole rather than search part of it
        raise InputError(invalid)
    table = sweep(
        scenario, space, seeds, executor=executor, fidelity="fluid", slo_p99_ms=slo.get("p99_ms"), progress=progress
    )
    keys = list(space)
    standing = _standing(table, keys, slo, confidence)
    failed = _failed_points(table, keys)
    feasible = sorted((c for c in standing if c.meets_slo), key=lambda c: (c.monthly_usd, c.config))
    if not feasible:
        best = min(standing, key=lambda c: (c.p99_ms, c.monthly_usd), default=None)
        detail = f"; closest: {best.values} ({best.reason})" if best else ""
        if failed:
            detail += f"; {len(failed)} of {len(table['config'].unique())} configurations failed to run"
        raise NoConfigurationMeetsSlo(f"slo={dict(slo)!r}: no configuration in the space meets it{detail}", failed)
    scenarios = {i: sc for i, (_, sc, _) in enumerate(expand_grid(scenario, space))}
    chosen: Candidate | None = None
    confirmed: dict[str, Any] = {"checked": []}
    rejected: list[Candidate] = []
    for cand in feasible[: max(1, finalists)] if confirm else feasible[:1]:
        if not confirm:
            chosen = cand
            break
        sc = scenarios[cand.config]
        assert sc is not None
        check = simulate(
            sc.model_copy(
                update={"fidelity": "request", "seed": seeds[0], "horizon_s": min(sc.horizon_s, confirm_horizon_s)}
            )
        )
        r = check.summary.requests
        p99 = check.summary.latency_ms.p99 or math.inf
        avail = r.served / r.offered if r.offered else 1.0
        ok = p99 <= slo.get("p99_ms", math.inf) and avail >= slo.get("availability", 0.0)
        confirmed["checked"].append({"values": cand.values, "p99_ms": p99, "availability": avail, "passed": ok})
        if ok:
            chosen = cand
            break
        rejected.append(
            Candidate(
                cand.config,
                cand.values,
                cand.monthly_usd,
                cand.p99_ms,
                cand.availability,
                False,
                f"request-level check: p99 {p99:.1f} ms, availability {avail:.5f}",
            )
        )
    if chosen is None:
        raise NoConfigurationMeetsSlo(
            f"slo={dict(slo)!r}: the {len(rejected)} cheapest fluid candidates failed the "
            f"request-level check ({rejected[0].reason})"
        )
    later = [c for c in feasible if c.monthly_usd >= chosen.monthly_usd and c.config != chosen.config]
    runner_up = None
    if later:
        nxt = later[0]
        runner_up = Candidate(
            nxt.config,
            nxt.values,
            nxt.monthly_usd,
            nxt.p99_ms,
            nxt.availability,
            True,
            _costs_more(nxt.monthly_usd - chosen.monthly_usd),
        )
    cheaper = rejected + [c for c in standing if not c.meets_slo and c.monthly_usd <= chosen.monthly_usd]
    cheaper_miss = max(cheaper, key=lambda c: (c.monthly_usd, -c.p99_ms)) if cheaper else None
    summary = pd.DataFrame(
        [
            {
                **c.values,
                "config": c.config,
                "monthly_usd": c.monthly_usd,
                "p99_ms": c.p99_ms,
                "availability": c.availability,
                "meets_slo": c.meets_slo,
                "reason": c.reason,
            }
            for c in standing
        ]
    )
    plan_scenario = scenarios[chosen.config]
    assert plan_scenario is not None
    return Recommendation(plan_scenario.resolved_plan(), chosen, runner_up, cheaper_miss, confirmed, summary, failed)


def _costs_more(extra_usd: Decimal) -> str:
    if extra_usd <= 0:
        return "meets the SLO too, at the same monthly cost (the recommendation comes first in the space)"
    return f"meets the SLO but costs ${extra_usd:,.2f} more per month"
