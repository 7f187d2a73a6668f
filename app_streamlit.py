"""The what-if dashboard: pick a preset, move the sliders, and see what the stack costs, how fast it
answers and which requests it fails. Thin by design: the widgets build a scenario, tinysim computes
everything, and this file only lays out and formats what tinysim returns."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import tinysim
from models import INSTANCE_TYPES, InputError, ModelsError, Scenario, available_price_books, load_scenario
from models.plan import FARGATE_SIZES, TaskSpec
from models.validation import validate
from tinysim.assumptions import assumptions
from tinysim.breakeven import SEED_CLAIM_REQUESTS, front_door_curves
from tinysim.costs.rules import line_rule
from tinysim.timeline import coarsen
from tinysim.tracefiles.upload import save_upload, upload_choices, upload_traffic

ROOT = Path(__file__).parent
PRESETS = {
    "Seed dev stack": "seed_dev_stack.json",
    "Seed hyperscale (ALB)": "seed_hyperscale_alb.json",
    "Serverless burst": "serverless_burst.json",
    "Trace replay": "trace_replay.json",
}
KINDS = ["constant", "diurnal", "spike", "growth", "trace"]
LEVEL_FIELD = {"constant": "rps", "diurnal": "mean_rps", "spike": "base_rps", "growth": "start_rps"}
#: Traffic levels on the log slider: 1-1.5-2-3-5-7 steps per decade, 0.1 to 10,000 requests/s.
RPS_STEPS = [round(m * 10.0**e, 4) for e in range(-1, 4) for m in (1, 1.5, 2, 3, 5, 7)] + [10_000.0]
CPU_UNITS = [256, 512, 1024, 2048, 4096, 8192, 16384]
LAMBDA_MB = [128, 256, 512, 1024, 1536, 2048, 3008, 4096, 10240]
#: Where each widget writes in the scenario, so a validation message lands beside its widget.
WIDGET_PATHS = {
    "level": "traffic",
    "svc_mean": "workload.service_time_ms",
    "req_kb": "workload.request_kb",
    "resp_kb": "workload.response_kb",
    "door": "plan.front_door",
    "launch": "plan.container.launch_type",
    "itype": "plan.container.instance_type",
    "cpu": "plan.container.task",
    "tasks": "plan.container.tasks",
    "slots": "workload.concurrency_per_task",
    "thr": "plan.container.scaling",
    "lmem": "plan.serverless",
    "hours": "horizon_s",
    "assumptions": "operations",
}
RECOMMEND_SPACE: dict[str, list[Any]] = {
    "plan.container.tasks": [{"min": lo, "max": hi, "desired": lo} for lo, hi in [(1, 5), (2, 5), (2, 10), (4, 10)]],
    "plan.front_door": ["apigw-http", "alb"],
}
HELP = {
    "monthly cost": "The month's bill: the run's usage repeated to fill 730 hours, priced line by line.",
    "per million requests": "The monthly bill over the month's offered requests.",
    "failed requests": "Requests refused (throttled, no serving task) or cut off at the timeout.",
    "availability": "Requests answered within the latency SLO, over requests offered. A failed request is a miss.",
    "p99, served": "99th percentile latency over the requests that were answered.",
    "p99, all requests": "99th percentile over every finished request, a failed one counting as never answered.",
}


# --------------------------------------------------------------------------------------------------
# presets and widget state


@st.cache_data(show_spinner=False)
def preset(name: str) -> dict[str, Any]:
    """A preset scenario as plain data (its plan inline, paths absolute)."""
    scenario = load_scenario(ROOT / "examples" / PRESETS[name])
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["plan"] = scenario.resolved_plan().model_dump(mode="json", exclude_none=True)
    data.pop("plan_file", None)
    return data


def nearest_step(rps: float) -> float:
    return min(RPS_STEPS, key=lambda s: abs(s - rps) / max(s, rps, 1e-9))


def widget_state(data: dict[str, Any]) -> dict[str, Any]:
    """Every widget's value for a scenario: what a preset loads into the sidebar."""
    plan, wl, tr = data["plan"], data["workload"], data["traffic"]
    c, s = plan["container"], plan["serverless"]
    svc = wl.get("service_time_ms", {})
    level = float(tr.get(LEVEL_FIELD.get(tr["kind"], ""), 10.0))
    return {
        "kind": tr["kind"],
        "level": level,
        "level_log": nearest_step(level),
        "peak_rps": float(tr.get("peak_rps", 1.6 * level)),
        "spike_rps": float(tr.get("spike_rps", 10 * level)),
        "spike_len": int(tr.get("duration_s", 600)),
        "growth": int(tr.get("monthly_growth_pct", 20)),
        "trace_scale": float(tr.get("scale", 1.0)),
        "svc_mean": float(svc.get("mean", 50.0)),
        "svc_p99": float(svc.get("p99") or 3 * float(svc.get("mean", 50.0))),
        "req_kb": float(wl.get("request_kb", 2.0)),
        "resp_kb": float(wl.get("response_kb", 10.0)),
        "arch": plan["architecture"],
        "door": plan["front_door"],
        "launch": c["launch_type"],
        "itype": c["instance_type"],
        "cpu": int(c["task"]["cpu_units"]),
        "mem": int(c["task"]["memory_mb"]),
        "tasks": (int(c["tasks"]["min"]), int(c["tasks"]["max"])),
        "slots": int(wl.get("concurrency_per_task", 1)),
        "thr": int(c["scaling"]["threshold_pct"]),
        "periods": int(c["scaling"]["evaluation_periods"]),
        "cooldown": int(c["scaling"]["cooldown_s"]),
        "lmem": int(s["memory_mb"]),
        "larch": s["arch"],
        "lres": int(s.get("reserved_concurrency") or 0),
        "lprov": int(s.get("provisioned_concurrency", 0)),
        "book": data.get("price_book", available_price_books()[-1]),
        "hours": max(1, int(data.get("horizon_s", 86400)) // 3600),
        "seed": int(data.get("seed", 0)),
        "fidelity": data.get("fidelity", "request"),
        "slo": 500.0,
        **{f"ops_{k}": v for k, v in data.get("operations", {}).items()},
    }


def load_preset(name: str) -> None:
    """Put the preset's values into every widget (called before the widgets are drawn)."""
    for key in [k for k in st.session_state if k.startswith("ops_") or k == "cold_start"]:
        del st.session_state[key]  # assumptions edited for another preset
    st.session_state.update(widget_state(preset(name)))
    st.session_state["_preset"] = name
    st.session_state.pop("rec", None)


def _level_from_slider() -> None:
    st.session_state["level"] = float(st.session_state["level_log"])


def _level_from_box() -> None:
    st.session_state["level_log"] = nearest_step(float(st.session_state["level"]))


def _to_fargate() -> None:
    """Moving to Fargate: the smallest valid Fargate size that fits the task (tinysim decides)."""
    if st.session_state.get("launch") == "fargate":
        task = tinysim.fargate_size(TaskSpec(cpu_units=st.session_state["cpu"], memory_mb=st.session_state["mem"]))
        st.session_state["cpu"], st.session_state["mem"] = task.cpu_units, task.memory_mb


# --------------------------------------------------------------------------------------------------
# the sidebar


class Sidebar:
    """Draws the widgets, each followed by a slot for its validation message."""

    def __init__(self) -> None:
        self.sb = st.sidebar
        self.slots: dict[str, Any] = {}

    def add(self, key: str, draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        value = draw(*args, key=key, **kwargs)
        if key in WIDGET_PATHS:
            self.slots[key] = self.sb.empty()
        return value

    def show_problems(self, problems: list[str]) -> list[str]:
        """Put each one-line problem beside the widget that sets its field; return the others."""
        placed: dict[str, list[str]] = {}
        rest = []
        for problem in problems:
            field = problem.split("=")[0].split(":")[0]
            owners = [k for k, p in WIDGET_PATHS.items() if k in self.slots and field.startswith(p)]
            if owners:
                placed.setdefault(max(owners, key=lambda k: len(WIDGET_PATHS[k])), []).append(problem)
            else:
                rest.append(problem)
        for key, lines in placed.items():
            self.slots[key].error("\n\n".join(lines))
        return rest


def traffic_widgets(ui: Sidebar, base: dict[str, Any]) -> dict[str, Any]:
    sb, ss = ui.sb, st.session_state
    sb.subheader("Traffic")
    kind = ui.add("kind", sb.selectbox, "shape", KINDS, help="How the request rate moves over the run.")
    tr: dict[str, Any] = dict(base["traffic"]) if kind == base["traffic"]["kind"] else {"kind": kind}
    if kind != "trace":
        label = {"constant": "requests/s", "diurnal": "mean requests/s", "spike": "base requests/s"}.get(
            kind, "requests/s at the start"
        )
        ui.add(
            "level_log",
            sb.select_slider,
            f"{label} (log scale)",
            RPS_STEPS,
            on_change=_level_from_slider,
            format_func=lambda v: f"{v:,g}",
        )
        tr[LEVEL_FIELD[kind]] = ui.add(
            "level",
            sb.number_input,
            label,
            0.0,
            100_000.0,
            on_change=_level_from_box,
            format="%.3f",
            help="Type any rate; the slider above moves in log steps.",
        )
    if kind == "diurnal":
        tr["peak_rps"] = ui.add("peak_rps", sb.number_input, "peak requests/s", 0.0, 200_000.0, format="%.3f")
    elif kind == "spike":
        tr["spike_rps"] = ui.add("spike_rps", sb.number_input, "spike requests/s", 0.0, 200_000.0, format="%.3f")
        tr.setdefault("start_s", 1800)
        tr["duration_s"] = ui.add("spike_len", sb.slider, "spike length (s)", 10, 7200)
    elif kind == "growth":
        tr["monthly_growth_pct"] = ui.add("growth", sb.slider, "growth per month (%)", -50, 300)
    elif kind == "trace":
        tr["scale"] = ui.add("trace_scale", sb.slider, "trace scale (x)", 0.1, 20.0)
    uploaded = upload_panel(sb)
    if uploaded is not None:
        tr = {**uploaded, "scale": float(ss.get("trace_scale", 1.0))}
    if tr["kind"] == "trace":
        if "csv" in tr:
            sb.caption(f"Replaying **{ss.get('_trace_name') or Path(tr['csv']).name}**.")
        else:
            sb.warning("Upload a trace to replay (a CSV with a 'requests' count per minute).")
    return tr


def upload_panel(sb: Any) -> dict[str, Any] | None:
    """The trace upload: any trace format tinysim reads, with its count column, time column and what an
    empty interval means; messages name the file as uploaded. Returns the trace traffic it gives."""
    upload = sb.file_uploader(
        "replay a trace: CSV, Parquet, CloudWatch export, ALB or Apache/nginx access log", key="upload"
    )
    if upload is None:
        st.session_state.pop("_trace_name", None)
        st.session_state.pop("_trace_path", None)
        return None
    path = save_upload(upload.getvalue(), upload.name, Path(tempfile.gettempdir()))
    st.session_state["_trace_name"] = upload.name
    st.session_state["_trace_path"] = str(path)
    ch = upload_choices(path)
    sb.caption(f"format: {ch.format}")
    column = sb.selectbox("count column", ch.count_options, key="up_count") if ch.count_options else None
    when = sb.selectbox("time column", ch.time_options, key="up_time") if ch.time_options else None
    missing = sb.selectbox("empty or absent intervals", ch.missing_options, key="up_missing")
    return dict(upload_traffic(path, ch, column, when, missing))


def work_widgets(ui: Sidebar, base: dict[str, Any]) -> dict[str, Any]:
    sb = ui.sb
    sb.subheader("Work per request")
    wl = json.loads(json.dumps(base["workload"]))
    svc = wl.setdefault("service_time_ms", {})
    svc["mean"] = ui.add("svc_mean", sb.slider, "service time, mean (ms)", 1.0, 2000.0)
    if svc.get("dist") == "lognormal":
        svc["p99"] = ui.add(
            "svc_p99",
            sb.slider,
            "service time, p99 (ms)",
            1.0,
            20000.0,
            help="Lognormal service times: the p99 must exceed the mean.",
        )
        svc.pop("sigma", None)
    wl["request_kb"] = ui.add("req_kb", sb.number_input, "request size (KB)", 0.0, 10240.0)
    wl["response_kb"] = ui.add("resp_kb", sb.number_input, "response size (KB)", 0.0, 10240.0)
    return wl


def stack_widgets(ui: Sidebar, base: dict[str, Any], wl: dict[str, Any]) -> dict[str, Any]:
    sb = ui.sb
    sb.subheader("Stack")
    plan = json.loads(json.dumps(base["plan"]))
    plan["architecture"] = ui.add(
        "arch",
        sb.selectbox,
        "compute",
        ["container", "serverless"],
        format_func={"container": "ECS containers", "serverless": "Lambda"}.get,
    )
    plan["front_door"] = ui.add(
        "door",
        sb.selectbox,
        "front door",
        ["apigw-http", "apigw-rest", "alb"],
        format_func={
            "apigw-http": "API Gateway (HTTP API)",
            "apigw-rest": "API Gateway (REST API)",
            "alb": "Load balancer (ALB)",
        }.get,
    )
    if plan["architecture"] == "container":
        c = plan["container"]
        c["launch_type"] = ui.add(
            "launch",
            sb.selectbox,
            "launch type",
            ["ec2", "fargate"],
            on_change=_to_fargate,
            format_func={"ec2": "EC2 instances", "fargate": "Fargate"}.get,
        )
        if c["launch_type"] == "ec2":
            c["instance_type"] = ui.add("itype", sb.selectbox, "instance type", sorted(INSTANCE_TYPES))
        cpu = ui.add("cpu", sb.select_slider, "task CPU units (1,024 = 1 vCPU)", CPU_UNITS)
        mem = ui.add(
            "mem",
            sb.number_input,
            "task memory (MiB)",
            128,
            122880,
            step=128,
            help=f"On Fargate: {', '.join(f'{k} CPU: {lo}-{hi} MiB' for k, (lo, hi, _) in FARGATE_SIZES.items())}",
        )
        c["task"] = {**c["task"], "cpu_units": cpu, "memory_mb": mem}
        lo, hi = ui.add("tasks", sb.slider, "tasks min..max", 0, 20)
        c["tasks"] = {"min": lo, "max": hi, "desired": max(lo, min(int(c["tasks"]["desired"]), hi))}
        c["instances"]["max"] = max(int(c["instances"]["max"]), hi)
        wl["concurrency_per_task"] = ui.add("slots", sb.slider, "worker slots per task", 1, 64)
        sc = c["scaling"]
        sc["threshold_pct"] = ui.add("thr", sb.slider, "scale out above CPU %", 10, 100)
        sc["evaluation_periods"] = ui.add("periods", sb.slider, "for N one-minute periods", 1, 15)
        sc["cooldown_s"] = ui.add("cooldown", sb.slider, "cooldown (s)", 0, 900, step=30)
    else:
        s = plan["serverless"]
        s["memory_mb"] = ui.add("lmem", sb.select_slider, "Lambda memory (MB)", LAMBDA_MB)
        s["arch"] = ui.add("larch", sb.selectbox, "Lambda architecture", ["x86_64", "arm64"])
        s["reserved_concurrency"] = (
            ui.add("lres", sb.number_input, "reserved concurrency (0 = account limit)", 0, 1000) or None
        )
        s["provisioned_concurrency"] = ui.add("lprov", sb.number_input, "provisioned concurrency", 0, 1000)
    return plan


def sidebar(name: str) -> tuple[dict[str, Any], float, Sidebar]:
    """The widgets; returns the scenario data they describe, the latency SLO (ms) and the sidebar."""
    base = preset(name)
    for key, value in widget_state(base).items():  # widgets not drawn last run come back with the preset's value
        st.session_state.setdefault(key, value)
    ui = Sidebar()
    data = json.loads(json.dumps(base))
    data["traffic"] = traffic_widgets(ui, base)
    data["workload"] = work_widgets(ui, base)
    data["plan"] = stack_widgets(ui, base, data["workload"])
    sb = ui.sb
    sb.subheader("Run")
    books = available_price_books()
    data["price_book"] = ui.add("book", sb.selectbox, "price book", books)
    data["horizon_s"] = int(ui.add("hours", sb.slider, "run length (hours)", 1, 720)) * 3600
    data["seed"] = int(ui.add("seed", sb.number_input, "seed", 0, 10**6))
    data["fidelity"] = ui.add(
        "fidelity",
        sb.radio,
        "fidelity",
        ["request", "fluid"],
        horizontal=True,
        help="request: every request simulated; fluid: rates per step (fast, for long runs).",
    )
    slo = float(
        ui.add(
            "slo",
            sb.number_input,
            "latency SLO (ms)",
            1.0,
            60000.0,
            help="A request answered later than this, or not at all, misses the SLO.",
        )
    )
    ops = dict(data.get("operations", {}))
    for key in list(st.session_state):
        if key.startswith("ops_"):
            ops[key[4:]] = st.session_state[key]
    data["operations"] = ops
    if st.session_state.get("cold_start") is not None:
        data["workload"]["cold_start_ms"] = st.session_state["cold_start"]
    return data, slo, ui


# --------------------------------------------------------------------------------------------------
# running


@st.cache_resource(show_spinner=False, max_entries=24)
def forecast(scenario_json: str, _progress: Callable[[float], None] | None = None) -> tinysim.SimResult:
    """One forecast, kept by its scenario (going back to a setting is instant; nothing is copied)."""
    return tinysim.simulate(Scenario.model_validate_json(scenario_json), _progress)


def named(message: str) -> str:
    """A message about an uploaded file names the file as the user knows it, not where it was saved."""
    path, name = st.session_state.get("_trace_path"), st.session_state.get("_trace_name")
    return message.replace(path, name) if path and name else message


def problems_of(data: dict[str, Any]) -> tuple[Scenario | None, list[str]]:
    """The scenario, or the one-line problems the CLI would print for it."""
    try:
        return validate(Scenario, data), []
    except InputError as exc:
        return None, [named(p) for p in exc.problems]
    except (ModelsError, tinysim.TinysimError) as exc:
        return None, [named(str(exc))]


def run(scenario: Scenario) -> tuple[tinysim.SimResult | None, str]:
    """Forecast with a progress bar on long request-level runs; a click anywhere (or Cancel) stops it."""
    key = scenario.model_dump_json()
    long_run = scenario.fidelity == "request" and scenario.horizon_s > 2 * 86400
    try:
        if not long_run:
            return forecast(key), ""
        if st.session_state.get("cancel"):
            return None, "Run cancelled. Change a setting to start another."
        cancel = st.empty()
        cancel.button("Cancel", key="cancel", help="Stops the run; change a setting to start another.")
        bar = st.progress(0.0, text="forecasting...")
        total = float(scenario.horizon_s)
        shown = [0.0]

        def progress(now_s: float) -> None:
            if now_s - shown[0] >= total / 100:
                shown[0] = now_s
                bar.progress(min(1.0, now_s / total), text=f"forecasting: {now_s / 3600:,.0f} of {total / 3600:,.0f} h")

        result = forecast(key, progress)
        bar.empty()
        cancel.empty()
        return result, ""
    except InputError as exc:
        return None, named("\n".join(exc.problems))
    except (ModelsError, tinysim.TinysimError) as exc:
        return None, named(str(exc))


# --------------------------------------------------------------------------------------------------
# what the run says


def ms(v: float | None) -> str:
    if v is None:
        return "n/a"
    return "failed" if v == float("inf") else f"{v:,.1f} ms"


def headline(result: tinysim.SimResult, slo_ms: float) -> None:
    s = result.summary
    f, r = s.failures, s.requests
    report = s.slo(slo_ms)
    per_million = s.usd_per_million_requests
    row = st.columns(4)
    row[0].metric("monthly cost", f"${s.total_usd:,.2f}", help=HELP["monthly cost"])
    row[1].metric(
        "per million requests",
        "n/a" if per_million is None else f"${per_million:,.2f}",
        help=HELP["per million requests"],
    )
    row[2].metric("failed requests", f"{f.total:,}", help=HELP["failed requests"])
    row[3].metric(f"availability (SLO {slo_ms:,g} ms)", f"{report.availability:.3%}", help=HELP["availability"])
    row = st.columns(4)
    row[0].metric("p99, served", ms(s.latency_ms.p99), help=HELP["p99, served"])
    row[1].metric("p99, all requests", ms(s.latency_all_ms.p99), help=HELP["p99, all requests"])
    if s.lambda_.max_concurrency:
        row[2].metric("peak Lambda concurrency", f"{s.lambda_.max_concurrency:,}")
    else:
        row[2].metric("peak tasks", f"{s.scaling.max_tasks:,}")
    row[3].metric("requests offered", f"{r.offered:,}")
    st.markdown(
        f"**Failed: {f.total:,}** ({s.failed_share:.2%} of offered) — timed out **{f.timed_out:,}** · refused by "
        f"the front door **{f.front_door:,}** · throttled by Lambda **{f.lambda_throttled:,}** · payload over a "
        f"limit **{f.payload:,}** · still in flight at the end {r.in_flight:,}"
    )
    if s.extrapolated:
        st.info(
            f"The bill repeats this {s.horizon_s / 3600:g} h run x{s.month_factor:,.4g} to fill a 730 h month: "
            "every spike and quiet hour in it recurs that often. See Assumptions."
        )


def assumptions_panel(scenario: Scenario, ui: Sidebar) -> None:
    with st.expander("Assumptions: every number this forecast assumes (edit in place)"):
        for a in assumptions(scenario):
            left, right = st.columns([2, 3])
            if a.path.startswith("operations."):
                key = "ops_" + a.path.split(".")[1]
                st.session_state.setdefault(key, a.value)
                left.number_input(f"{a.name} ({a.unit})", min_value=0.0 if isinstance(a.value, float) else 0, key=key)
            elif a.path == "workload.cold_start_ms":
                st.session_state.setdefault("cold_start", float(a.value))
                left.number_input(f"{a.name} ({a.unit})", min_value=0.0, key="cold_start")
            else:
                left.markdown(f"**{a.name}**: {a.value} {a.unit}")
            right.caption(a.basis)


# --------------------------------------------------------------------------------------------------
# charts: drawn from a coarsened timeline (at most 720 points a line), titled, with units


def layout(fig: go.Figure, title: str, y_title: str, **more: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        xaxis_title="hours into the run",
        yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 70, "r": 30, "t": 60, "b": 40},
        height=420,
        **more,
    )
    return fig


VIEWS = ["Cost", "Traffic", "Compute", "Latency", "Lambda", "ALB LCUs", "Break-even"]


def charts(result: tinysim.SimResult, slo_ms: float) -> None:
    """One view at a time: only the chart being looked at is drawn after each change."""
    plan = result.scenario.resolved_plan()
    tl = coarsen(result.timeline)
    every = tl.attrs["minutes_per_point"]
    per = "per minute" if every == 1 else f"per minute (mean of each {every} min)"
    view = st.segmented_control("view", VIEWS, default="Cost", key="view", label_visibility="collapsed") or "Cost"
    if view == "Cost":
        cost_tab(result)
    elif view == "Traffic":
        fig = go.Figure()
        for col, label in (
            ("offered", "offered"),
            ("served", "served"),
            ("throttled", "refused (throttled, 503)"),
            ("timed_out", "timed out"),
        ):
            fig.add_scatter(x=tl["t_h"], y=tl[col], name=label, mode="lines")
        st.plotly_chart(layout(fig, f"Requests {per}", "requests per minute"), key="traffic")
    elif view == "Compute":
        if plan.architecture != "container":
            st.info("This stack runs on Lambda: no tasks or instances to scale. See the Lambda tab.")
        else:
            compute_chart(result, tl, every)
    elif view == "Latency":
        fig = go.Figure()
        for col, label in (("latency_p50_ms", "p50"), ("latency_p95_ms", "p95"), ("latency_p99_ms", "p99")):
            fig.add_scatter(x=tl["t_h"], y=tl[col], name=label, mode="lines")
        fig.add_hline(y=slo_ms, line_dash="dash", annotation_text=f"SLO {slo_ms:,g} ms")
        note = "" if every == 1 else f" (worst minute of each {every})"
        st.plotly_chart(
            layout(fig, f"Latency of served requests per minute{note}", "latency (ms, log scale)", yaxis_type="log"),
            key="latency",
        )
    elif view == "Lambda":
        if plan.architecture != "serverless":
            st.info("This stack runs on ECS: Lambda concurrency, cold starts and throttles apply to Lambda stacks.")
        else:
            fig = make_subplots(
                rows=2,
                cols=1,
                shared_xaxes=True,
                vertical_spacing=0.12,
                subplot_titles=("concurrent executions", f"cold starts and throttles {per}"),
            )
            fig.add_scatter(x=tl["t_h"], y=tl["lambda_concurrency"], name="concurrency", row=1, col=1)
            fig.add_scatter(x=tl["t_h"], y=tl["cold_starts"], name="cold starts", row=2, col=1)
            fig.add_scatter(x=tl["t_h"], y=tl["lambda_throttles"], name="throttles", row=2, col=1)
            fig.update_yaxes(title_text="executions", row=1, col=1)
            fig.update_yaxes(title_text="requests per minute", row=2, col=1)
            layout(fig, "Lambda", "executions")
            fig.update_layout(height=520)
            fig.update_xaxes(title_text=None, row=1, col=1)
            fig.update_xaxes(title_text="hours into the run", row=2, col=1)
            st.plotly_chart(fig, key="lambda")
    elif view == "ALB LCUs":
        if plan.front_door != "alb":
            st.info("This stack's front door is API Gateway: LCUs are how a load balancer (ALB) is billed.")
        else:
            lcus = result.alb_lcus()
            fig = go.Figure()
            for dim in lcus.columns[1:]:
                fig.add_scatter(x=lcus["hour"], y=lcus[dim], name=dim, mode="lines")
            layout(fig, "ALB LCUs per hour by dimension (each hour bills the largest)", "LCUs")
            fig.update_layout(xaxis_title="hour of the run")
            st.plotly_chart(fig, key="lcu")
    elif view == "Break-even":
        breakeven_chart(result.scenario)


def compute_chart(result: tinysim.SimResult, tl: pd.DataFrame, every: int) -> None:
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=("tasks and instances", "service CPU (average)"),
    )
    fig.add_scatter(x=tl["t_h"], y=tl["tasks_running"], name="tasks serving", line_shape="hv", row=1, col=1)
    fig.add_scatter(
        x=tl["t_h"],
        y=tl["tasks_pending"],
        name="tasks waiting to start (placement, pull, health)",
        line_shape="hv",
        line_dash="dot",
        row=1,
        col=1,
    )
    if result.scenario.resolved_plan().container.launch_type == "ec2":
        fig.add_scatter(
            x=tl["t_h"], y=tl["instances"], name="EC2 instances", line_shape="hv", line_dash="dash", row=1, col=1
        )
    fig.add_scatter(x=tl["t_h"], y=tl["cpu_pct"], name="CPU %", row=2, col=1)
    thr = result.scenario.resolved_plan().container.scaling.threshold_pct
    fig.add_hline(y=thr, line_dash="dash", row=2, col=1, annotation_text=f"scale-out alarm {thr:g}%")
    ev = result.events
    for kind, symbol in (("scale_out", "triangle-up"), ("scale_in", "triangle-down")):
        at = ev[ev["kind"] == kind]["t_s"] / 3600
        if len(at):
            fig.add_scatter(
                x=at,
                y=[thr] * len(at),
                mode="markers",
                marker_symbol=symbol,
                marker_size=10,
                name=kind.replace("_", "-"),
                row=2,
                col=1,
            )
    fig.update_yaxes(title_text="count", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="CPU %", range=[0, 105], row=2, col=1)
    layout(fig, "Compute: tasks, instances and CPU (markers: scaling actions)", "count")
    fig.update_layout(height=560)
    fig.update_xaxes(title_text=None, row=1, col=1)
    fig.update_xaxes(title_text="hours into the run", row=2, col=1)
    st.plotly_chart(fig, key="compute")


def cost_tab(result: tinysim.SimResult) -> None:
    bill = result.bill
    by_service = bill.by_service()
    fig = go.Figure(
        go.Bar(
            x=[float(v) for v in by_service.values()],
            y=list(by_service),
            orientation="h",
            text=[f"${v:,.2f}" for v in by_service.values()],
            textposition="auto",
        )
    )
    fig.update_layout(
        title={"text": f"Monthly bill by service: ${bill.total_usd:,.2f}", "x": 0.0},
        xaxis_title="USD per month",
        yaxis_autorange="reversed",
        height=380,
        margin={"l": 140, "r": 30, "t": 60, "b": 40},
    )
    st.plotly_chart(fig, key="bill")
    table = pd.DataFrame(
        [
            {
                "Service": li.service,
                "Item": li.item,
                "Quantity": float(li.quantity),
                "Unit": li.unit,
                "Unit price": float(li.unit_usd),
                "Amount": float(li.amount_usd),
                "How it is charged": line_rule(li.service),
            }
            for li in bill.lines
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        key="bill_table",
        column_config={
            "Quantity": st.column_config.NumberColumn(format="localized", help="Usage in the month, in the unit"),
            "Unit price": st.column_config.NumberColumn(format="$%.6g", help="USD per unit, from the price book"),
            "Amount": st.column_config.NumberColumn(format="dollar", help="Quantity x unit price, rounded to cents"),
            "How it is charged": st.column_config.TextColumn(help="The pricing rule behind the line", width="large"),
        },
    )


@st.cache_data(show_spinner=False)
def breakeven_frame(book_id: str, workload_json: str) -> tuple[pd.DataFrame, list[tuple[str, int | None]]]:
    from models.scenario import Workload

    curves = front_door_curves(book_id, Workload.model_validate_json(workload_json))
    frame = pd.DataFrame({"requests/month": curves.requests_per_month})
    for door, usd in curves.usd.items():
        frame[door] = [float(v) for v in usd]
    return frame, [(b.api, b.requests_per_month) for b in curves.crossings]


def breakeven_chart(scenario: Scenario) -> None:
    frame, cross = breakeven_frame(scenario.price_book, scenario.workload.model_dump_json())
    names = {"apigw-http": "API Gateway HTTP API", "apigw-rest": "API Gateway REST API", "alb": "ALB (with its IPv4)"}
    fig = go.Figure()
    for door, label in names.items():
        fig.add_scatter(x=frame["requests/month"], y=frame[door], name=label, mode="lines")
    fig.add_vline(x=SEED_CLAIM_REQUESTS, line_dash="dot", annotation_text="seed's claim: 500k")
    for api, n in cross:
        if n:
            fig.add_vline(
                x=n,
                line_dash="dash",
                annotation_text=f"ALB cheaper than {names[api]} from {n:,}/month",
                annotation_textangle=-90,
            )
    layout(
        fig,
        f"Front door alone: monthly cost by volume ({scenario.price_book})",
        "USD per month (log)",
        xaxis_type="log",
        yaxis_type="log",
    )
    fig.update_layout(xaxis_title="requests per month (log)")
    st.plotly_chart(fig, key="breakeven")


# --------------------------------------------------------------------------------------------------
# compare, recommend, plan


def compare(scenario: Scenario, slo_ms: float) -> None:
    names = st.pills(
        "stacks to compare (up to three)",
        list(tinysim.STACKS),
        selection_mode="multi",
        key="compare",
        help="Each runs the sidebar's traffic and work on another stack.",
    )
    if not names:
        st.caption("Pick up to three stacks: each runs the same traffic and work as the sidebar.")
        return
    if len(names) > 3:
        st.warning(f"{len(names)} stacks picked: the first three are compared.")
    rows = []
    for name in names[:3]:
        result, problem = run(tinysim.on_stack(scenario, tinysim.STACKS[name]))
        if result is None:
            st.error(f"{name}: {problem}")
            continue
        s = result.summary
        rows.append(
            {
                "stack": name,
                "monthly cost": float(s.total_usd),
                "p99, served": ms(s.latency_ms.p99),
                "p99, all": ms(s.latency_all_ms.p99),
                "failed": s.failures.total,
                f"availability at {slo_ms:g} ms": f"{s.slo(slo_ms).availability:.3%}",
                "peak tasks": s.scaling.max_tasks,
                "cold starts": s.lambda_.cold_starts,
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(
        table,
        hide_index=True,
        key="compare_table",
        column_config={
            "monthly cost": st.column_config.NumberColumn(format="dollar"),
        },
    )
    if len(table):
        fig = go.Figure(
            go.Bar(x=table["stack"], y=table["monthly cost"], text=[f"${v:,.2f}" for v in table["monthly cost"]])
        )
        fig.update_layout(title={"text": "Monthly cost by stack", "x": 0.0}, yaxis_title="USD per month", height=360)
        st.plotly_chart(fig, key="cmp")


def show_values(values: dict[str, Any]) -> str:
    parts = []
    for path, v in values.items():
        name = path.split(".")[-1].replace("_", " ")
        if isinstance(v, dict) and {"min", "max"} <= set(v):
            parts.append(f"{name} {v['min']}-{v['max']}")
        else:
            parts.append(f"{name} {v}")
    return ", ".join(parts)


def _apply_recommendation() -> None:
    values = st.session_state["rec"]["values"]
    if "plan.container.tasks" in values:
        t = values["plan.container.tasks"]
        st.session_state["tasks"] = (int(t["min"]), int(t["max"]))
    if "plan.front_door" in values:
        st.session_state["door"] = values["plan.front_door"]
    st.session_state["applied"] = True


def recommend_panel(scenario: Scenario, slo_ms: float) -> None:
    st.caption(
        f"The cheapest of: tasks min/max x front door — answering with p99 <= {slo_ms:,g} ms and 99% of requests "
        "served, at 90% confidence over five traffic futures."
    )
    if st.button("Recommend", key="recommend"):
        base = scenario.model_copy(update={"traffic": scenario.traffic.model_copy(update={"daily_sigma": 0.15})})
        with st.spinner("searching..."):
            try:
                rec = tinysim.recommend(
                    base,
                    {"p99_ms": slo_ms, "availability": 0.99},
                    RECOMMEND_SPACE,
                    confirm_horizon_s=min(scenario.horizon_s, 6 * 3600),
                )
            except tinysim.NoConfigurationMeetsSlo as exc:
                st.session_state["rec"] = {"none": str(exc)}
            except (InputError, ModelsError, tinysim.TinysimError) as exc:
                st.session_state["rec"] = {"error": str(exc)}
            else:
                st.session_state["rec"] = {
                    "values": rec.chosen.values,
                    "headline": f"{show_values(rec.chosen.values)}: ${rec.chosen.monthly_usd:,.2f}/month, "
                    f"p99 {rec.chosen.p99_ms:,.0f} ms",
                    "runner_up": None
                    if rec.runner_up is None
                    else f"{show_values(rec.runner_up.values)} — {rec.runner_up.reason}",
                    "cheaper_miss": None
                    if rec.cheaper_miss is None
                    else f"{show_values(rec.cheaper_miss.values)} (${rec.cheaper_miss.monthly_usd:,.2f}) — "
                    f"{rec.cheaper_miss.reason}",
                    "table": rec.table.assign(
                        configuration=[
                            show_values({k: row[k] for k in RECOMMEND_SPACE}) for _, row in rec.table.iterrows()
                        ]
                    )[["configuration", "monthly_usd", "p99_ms", "availability", "meets_slo", "reason"]].assign(
                        availability=lambda t: t["availability"].map("{:.3%}".format)
                    ),
                    "plan": rec.plan.model_dump_json(indent=2),
                }
            st.session_state.pop("applied", None)
    rec_state = st.session_state.get("rec")
    if not rec_state:
        return
    if "none" in rec_state:
        st.warning(f"No configuration meets the SLO. {rec_state['none']}")
        return
    if "error" in rec_state:
        st.error(rec_state["error"])
        return
    st.success(f"Recommended: {rec_state['headline']}")
    if rec_state["runner_up"]:
        st.write(f"Runner-up: {rec_state['runner_up']}")
    if rec_state["cheaper_miss"]:
        st.write(f"Cheaper but rejected: {rec_state['cheaper_miss']}")
    st.dataframe(
        rec_state["table"].astype({"monthly_usd": float}),
        hide_index=True,
        key="rec_table",
        column_config={
            "monthly_usd": st.column_config.NumberColumn("monthly cost", format="dollar"),
            "p99_ms": st.column_config.NumberColumn("p99 (ms)", format="%.1f"),
            "meets_slo": st.column_config.CheckboxColumn("meets SLO"),
        },
    )
    left, right = st.columns(2)
    left.button(
        "Apply to sidebar",
        key="apply_rec",
        on_click=_apply_recommendation,
        help="Sets the sidebar's tasks and front door to the recommendation.",
    )
    right.download_button(
        "Download the recommended plan.json",
        rec_state["plan"],
        file_name="plan.json",
        mime="application/json",
        key="dl_rec",
        on_click="ignore",
    )
    if st.session_state.get("applied"):
        st.caption("Applied: the sidebar and the forecast above now use the recommendation.")


def plan_panel(scenario: Scenario) -> None:
    plan = scenario.resolved_plan()
    text = plan.model_dump_json(indent=2)
    st.download_button(
        "Download plan.json", text, file_name="plan.json", mime="application/json", key="dl_plan", on_click="ignore"
    )
    st.code(text, language="json")
    if st.button("Apply to LocalStack", key="apply"):
        try:
            from provision.api import apply_plan, localstack_running
        except ImportError:
            st.error("The provisioner is not installed in this environment.")
            return
        if not localstack_running():
            st.error(
                "LocalStack is not running on 127.0.0.1:4566. Start it with `python -m provision localstack start`."
            )
            return
        steps = st.empty()
        log: list[str] = []

        def progress(line: str) -> None:
            log.append(line)
            steps.code("\n".join(log[-15:]))

        outputs = apply_plan(plan, target="localstack", progress=progress)
        st.success("Applied.")
        st.json(outputs)


# --------------------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="tinysim", layout="wide")
    st.title("tinysim — what will this stack cost, and how fast will it answer?")
    name = st.sidebar.selectbox("preset", list(PRESETS), key="preset")
    if st.session_state.get("_preset") != name:
        load_preset(name)
    data, slo_ms, ui = sidebar(name)
    scenario, problems = problems_of(data)
    if problems:
        rest = ui.show_problems(problems)
        if rest:
            st.error("\n\n".join(rest))
        st.warning("Some settings are not valid (the reason is beside each one in the sidebar).")
    result, problem = run(scenario) if scenario is not None else (None, "")
    if problem:
        st.error(problem)
    if result is not None:
        st.session_state["_last_good"] = (scenario, result)
    elif "_last_good" in st.session_state:
        scenario, result = st.session_state["_last_good"]
        st.caption("Showing the forecast of the last valid settings.")
    if result is None or scenario is None:
        return
    headline(result, slo_ms)
    assumptions_panel(scenario, ui)
    charts(result, slo_ms)
    st.header("Compare stacks")
    compare(scenario, slo_ms)
    st.header("Recommend")
    recommend_panel(scenario, slo_ms)
    st.header("Plan")
    plan_panel(scenario)


main()
