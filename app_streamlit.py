"""The what-if dashboard: pick a preset, move the sliders, and see what the stack costs and how fast
it answers. Thin by design: it builds a scenario, calls tinysim's public functions and plots."""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import tinysim
from models import INSTANCE_TYPES, InputError, ModelsError, Plan, Scenario, available_price_books, load_price_book
from models.scenario import Workload
from tinysim.breakeven import SEED_CLAIM_REQUESTS, front_door_cost
from tinysim.tracefiles.upload import save_upload, upload_choices, upload_traffic

ROOT = Path(__file__).parent
PRESETS = {
    "Seed dev stack": "seed_dev_stack.json",
    "Seed hyperscale (ALB)": "seed_hyperscale_alb.json",
    "Serverless burst": "serverless_burst.json",
    "Trace replay": "trace_replay.json",
}
STACKS = {
    "ECS on EC2 + API Gateway": {"architecture": "container", "front_door": "apigw-http", "launch_type": "ec2"},
    "ECS on EC2 + ALB": {"architecture": "container", "front_door": "alb", "launch_type": "ec2"},
    "ECS on Fargate + ALB": {"architecture": "container", "front_door": "alb", "launch_type": "fargate"},
    "Lambda + API Gateway": {"architecture": "serverless", "front_door": "apigw-http", "launch_type": "ec2"},
    "Lambda + ALB": {"architecture": "serverless", "front_door": "alb", "launch_type": "ec2"},
}


@st.cache_data(show_spinner=False)
def preset(name: str) -> dict[str, Any]:
    """A preset scenario as plain data (its plan inline, paths absolute)."""
    from models import load_scenario

    scenario = load_scenario(ROOT / "examples" / PRESETS[name])
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["plan"] = scenario.resolved_plan().model_dump(mode="json", exclude_none=True)
    data.pop("plan_file", None)
    return data


@st.cache_data(show_spinner=False, max_entries=64)
def forecast(scenario_json: str) -> dict[str, Any]:
    """Run one scenario (cached by its JSON: going back to a setting is instant)."""
    result = tinysim.simulate(Scenario.model_validate_json(scenario_json))
    return {
        "timeline": result.timeline,
        "events": result.events,
        "hourly": result.hourly_usage,
        "bill": result.bill,
        "summary": result.summary,
    }


def sidebar(base: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The widgets; returns the scenario data they describe and the SLO."""
    sb = st.sidebar
    data = json.loads(json.dumps(base))
    plan, wl, tr = data["plan"], data["workload"], data["traffic"]
    sb.subheader("Traffic")
    kinds = ["constant", "diurnal", "spike", "growth", "trace"]
    kind = sb.selectbox("shape", kinds, index=kinds.index(tr["kind"]), key="kind")
    upload = sb.file_uploader(
        "or upload a trace: CSV, Parquet, CloudWatch export, ALB or Apache/nginx access log", type=None, key="upload"
    )
    if kind != tr["kind"]:
        tr = {"kind": kind}
    level = float(tr.get("rps", tr.get("mean_rps", tr.get("base_rps", tr.get("start_rps", 10.0)))))
    if kind == "constant":
        tr["rps"] = sb.slider("requests/s", 0.1, 2000.0, level, key="rps")
    elif kind == "diurnal":
        tr["mean_rps"] = sb.slider("mean requests/s", 0.1, 2000.0, level, key="mean_rps")
        tr["peak_rps"] = tr["mean_rps"] * sb.slider("peak / mean", 1.0, 2.0, 1.6, key="peak_ratio")
    elif kind == "spike":
        tr["base_rps"] = sb.slider("base requests/s", 0.1, 2000.0, level, key="base_rps")
        tr["spike_rps"] = sb.slider(
            "spike requests/s", 1.0, 10000.0, float(tr.get("spike_rps", 10 * level)), key="spike_rps"
        )
        tr["start_s"] = tr.get("start_s", 1800)
        tr["duration_s"] = sb.slider("spike length (s)", 10, 7200, int(tr.get("duration_s", 600)), key="spike_len")
    elif kind == "growth":
        tr["start_rps"] = sb.slider("start requests/s", 0.1, 2000.0, level, key="start_rps")
        tr["monthly_growth_pct"] = sb.slider("growth per month (%)", -50, 300, 20, key="growth")
    elif kind == "trace":
        tr.setdefault("csv", str(ROOT / "examples" / "traces" / "shop_day.csv"))
        tr["scale"] = sb.slider("trace scale", 0.1, 20.0, float(tr.get("scale", 1.0)), key="trace_scale")
    if upload is not None:
        path = save_upload(upload.getvalue(), upload.name, Path(tempfile.gettempdir()))
        ch = upload_choices(path)
        sb.caption(f"format: {ch.format}")
        column = sb.selectbox("count column", ch.count_options, key="up_count") if ch.count_options else None
        when = sb.selectbox("time column", ch.time_options, key="up_time") if ch.time_options else None
        missing = sb.selectbox("empty or absent intervals", ch.missing_options, key="up_missing")
        tr = upload_traffic(path, ch, column, when, missing)
    data["traffic"] = tr
    sb.subheader("Work per request")
    st_ms = wl.setdefault("service_time_ms", {})
    st_ms["mean"] = sb.slider("service time, mean (ms)", 1.0, 2000.0, float(st_ms.get("mean", 50.0)), key="svc_mean")
    if st_ms.get("dist") == "lognormal":
        st_ms["p99"] = max(st_ms["mean"] * 1.5, float(st_ms.get("p99") or 3 * st_ms["mean"]))
        st_ms.pop("sigma", None)
    wl["request_kb"] = sb.number_input("request KB", 0.0, 10240.0, float(wl.get("request_kb", 2.0)), key="req_kb")
    wl["response_kb"] = sb.number_input("response KB", 0.0, 10240.0, float(wl.get("response_kb", 10.0)), key="resp_kb")
    sb.subheader("Stack")
    arch = sb.selectbox(
        "architecture",
        ["container", "serverless"],
        index=["container", "serverless"].index(plan["architecture"]),
        key="arch",
    )
    doors = ["apigw-http", "apigw-rest", "alb"]
    plan["architecture"] = arch
    plan["front_door"] = sb.selectbox("front door", doors, index=doors.index(plan["front_door"]), key="door")
    c = plan["container"]
    if arch == "container":
        c["launch_type"] = sb.selectbox(
            "launch type", ["ec2", "fargate"], index=["ec2", "fargate"].index(c["launch_type"]), key="launch"
        )
        types = sorted(INSTANCE_TYPES)
        if c["launch_type"] == "ec2":
            c["instance_type"] = sb.selectbox(
                "instance type", types, index=types.index(c["instance_type"]), key="itype"
            )
        cpu_choices = [256, 512, 1024, 2048, 4096]
        c["task"]["cpu_units"] = sb.select_slider(
            "task CPU units", cpu_choices, value=c["task"]["cpu_units"], key="cpu"
        )
        c["task"]["memory_mb"] = sb.number_input(
            "task memory (MiB)", 128, 30720, int(c["task"]["memory_mb"]), step=128, key="mem"
        )
        lo, hi = sb.slider("tasks min..max", 0, 20, (int(c["tasks"]["min"]), int(c["tasks"]["max"])), key="tasks")
        c["tasks"] = {"min": lo, "max": max(hi, 1), "desired": max(lo, min(int(c["tasks"]["desired"]), hi))}
        c["instances"]["max"] = max(int(c["instances"]["max"]), hi)
        wl["concurrency_per_task"] = sb.slider(
            "worker slots per task", 1, 64, int(wl.get("concurrency_per_task", 1)), key="slots"
        )
        sc = c["scaling"]
        sc["threshold_pct"] = sb.slider("scale out above CPU %", 10, 100, int(sc["threshold_pct"]), key="thr")
        sc["evaluation_periods"] = sb.slider(
            "for N one-minute periods", 1, 15, int(sc["evaluation_periods"]), key="periods"
        )
        sc["cooldown_s"] = sb.slider("cooldown (s)", 0, 900, int(sc["cooldown_s"]), step=30, key="cooldown")
    else:
        s = plan["serverless"]
        s["memory_mb"] = sb.select_slider(
            "Lambda memory (MB)", [128, 256, 512, 1024, 2048, 4096, 10240], value=s["memory_mb"], key="lmem"
        )
        s["arch"] = sb.selectbox(
            "Lambda architecture", ["x86_64", "arm64"], index=["x86_64", "arm64"].index(s["arch"]), key="larch"
        )
        s["reserved_concurrency"] = (
            sb.number_input(
                "reserved concurrency (0 = account limit)", 0, 1000, int(s.get("reserved_concurrency") or 0), key="lres"
            )
            or None
        )
        s["provisioned_concurrency"] = sb.number_input(
            "provisioned concurrency", 0, 1000, int(s.get("provisioned_concurrency", 0)), key="lprov"
        )
    sb.subheader("Run")
    books = available_price_books()
    data["price_book"] = sb.selectbox(
        "price book", books, index=books.index(data.get("price_book", books[-1])), key="book"
    )
    data["horizon_s"] = int(
        sb.slider("horizon (hours)", 1, 720, max(1, int(data.get("horizon_s", 86400) // 3600)), key="hours") * 3600
    )
    data["seed"] = int(sb.number_input("seed", 0, 10**6, int(data.get("seed", 0)), key="seed"))
    data["fidelity"] = sb.radio(
        "fidelity",
        ["request", "fluid"],
        index=0 if data["horizon_s"] <= 7 * 86400 else 1,
        key="fidelity",
        horizontal=True,
    )
    slo = float(sb.number_input("SLO: p99 (ms)", 1.0, 60000.0, 500.0, key="slo"))
    return data, slo


def headline(s: dict[str, Any], slo: float, tl: pd.DataFrame) -> None:
    r = s["requests"]
    monthly = Decimal(s["total_usd"])
    per_million = monthly / Decimal(max(1.0, r["offered"] * s["month_factor"] / 1e6))
    served = tl["served"].to_numpy(dtype=float)
    ok = tl["latency_p99_ms"].fillna(0).to_numpy() <= slo
    attainment = float(served[ok].sum() / served.sum()) if served.sum() else 1.0
    p99 = s["latency_ms"]["p99"]
    cols = st.columns(6)
    cols[0].metric("monthly cost", f"${monthly:,.2f}")
    cols[1].metric("per million requests", f"${per_million:,.2f}")
    cols[2].metric("p99 latency", "n/a" if p99 is None else f"{p99:,.1f} ms")
    cols[3].metric("SLO attainment", f"{attainment:.2%}")
    cols[4].metric("peak tasks", s["scaling"]["max_tasks"])
    cols[5].metric("throttled", f"{r['throttled']:,}")


def charts(out: dict[str, Any], data: dict[str, Any], slo: float) -> None:
    tl, events, hourly, bill = out["timeline"], out["events"], out["hourly"], out["bill"]
    minutes = tl["minute"] / 60
    tabs = st.tabs(["Cost", "Traffic", "Compute", "Latency", "Lambda", "ALB LCUs", "Break-even"])
    with tabs[0]:
        fig = go.Figure()
        for service, usd in bill.by_service().items():  # one stacked segment per service
            fig.add_bar(x=["this stack"], y=[float(usd)], name=service)
        fig.update_layout(barmode="stack", title=f"Monthly bill by service: ${bill.total_usd}", yaxis_title="USD")
        st.plotly_chart(fig, key="bill")
        lines = pd.DataFrame([li.as_json() for li in bill.lines])
        st.dataframe(lines[["service", "item", "quantity", "unit", "unit_usd", "amount_usd"]], hide_index=True)
        hourly_cost = (
            hourly["admitted"] / max(1.0, float(hourly["admitted"].sum())) * float(bill.total_usd) / (730 / len(hourly))
        )
        fig = go.Figure(go.Scatter(x=hourly["hour"], y=hourly_cost.cumsum(), fill="tozeroy"))
        fig.update_layout(
            title="Cost over time (request-driven share, cumulative)", xaxis_title="hour", yaxis_title="USD"
        )
        st.plotly_chart(fig, key="cost_time")
    with tabs[1]:
        fig = go.Figure()
        for col in ("offered", "served", "throttled", "timed_out"):
            fig.add_scatter(x=minutes, y=tl[col], name=col)
        fig.update_layout(title="Requests per minute", xaxis_title="hour")
        st.plotly_chart(fig, key="traffic")
    with tabs[2]:
        fig = go.Figure()
        fig.add_scatter(x=minutes, y=tl["tasks_running"], name="tasks serving", line_shape="hv")
        fig.add_scatter(x=minutes, y=tl["tasks_pending"], name="tasks starting", line_shape="hv")
        fig.add_scatter(x=minutes, y=tl["instances"], name="instances", line_shape="hv")
        fig.add_scatter(x=minutes, y=tl["cpu_pct"], name="CPU %", yaxis="y2")
        thr = data["plan"]["container"]["scaling"]["threshold_pct"]
        fig.add_hline(y=thr, line_dash="dash", yref="y2", annotation_text=f"alarm {thr}%")
        for t, kind in zip(events["t_s"], events["kind"], strict=True):
            if kind in ("scale_out", "scale_in"):
                fig.add_vline(x=t / 3600, line_dash="dot", line_color="green" if kind == "scale_out" else "red")
        fig.update_layout(
            title="Tasks, instances and CPU (scaling events dotted)",
            xaxis_title="hour",
            yaxis2={"overlaying": "y", "side": "right", "range": [0, 105]},
        )
        st.plotly_chart(fig, key="compute")
    with tabs[3]:
        fig = go.Figure()
        for col in ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms"):
            fig.add_scatter(x=minutes, y=tl[col], name=col.split("_")[1])
        fig.add_hline(y=slo, line_dash="dash", annotation_text="SLO")
        fig.update_layout(title="Latency per minute", xaxis_title="hour", yaxis_title="ms", yaxis_type="log")
        st.plotly_chart(fig, key="latency")
    with tabs[4]:
        fig = go.Figure()
        fig.add_scatter(x=minutes, y=tl["lambda_concurrency"], name="concurrency")
        fig.add_bar(x=minutes, y=tl["cold_starts"], name="cold starts")
        fig.add_bar(x=minutes, y=tl["lambda_throttles"], name="throttles")
        fig.update_layout(title="Lambda", xaxis_title="hour")
        st.plotly_chart(fig, key="lambda")
    with tabs[5]:
        book = load_price_book(data["price_book"])
        gb = "alb.lcu.processed_gb_per_hour." + ("lambda" if data["plan"]["architecture"] == "serverless" else "ip")
        dims = pd.DataFrame(
            {
                "hour": hourly["hour"],
                "new connections": hourly["alb_new_connections_per_s"]
                / float(book.value("alb.lcu.new_connections_per_s")),
                "active connections": hourly["alb_active_connections_per_min"]
                / float(book.value("alb.lcu.active_connections_per_min")),
                "processed bytes": hourly["alb_processed_gb_per_hour"] / float(book.value(gb)),
                "rule evaluations": hourly["alb_rule_evaluations_per_s"]
                / float(book.value("alb.lcu.rule_evaluations_per_s")),
            }
        )
        fig = go.Figure()
        for dim in dims.columns[1:]:
            fig.add_scatter(x=dims["hour"], y=dims[dim], name=dim)
        fig.update_layout(title="ALB LCUs per hour by dimension (billed: the largest)", xaxis_title="hour")
        st.plotly_chart(fig, key="lcu")
    with tabs[6]:
        breakeven_chart(data)


@st.cache_data(show_spinner=False)
def breakeven_curve(book_id: str, workload_json: str) -> tuple[pd.DataFrame, dict[str, int | None]]:
    book, wl = load_price_book(book_id), Workload.model_validate_json(workload_json)
    volumes = [int(10 ** (5 + i / 8)) for i in range(33)]
    rows = [
        {"requests/month": n, "front door": fd, "USD": float(front_door_cost(fd, n, book, wl))}
        for n in volumes
        for fd in ("apigw-http", "apigw-rest", "alb")
    ]
    cross = {api: tinysim.breakeven(api, book, wl).requests_per_month for api in ("apigw-http", "apigw-rest")}
    return pd.DataFrame(rows), cross


def breakeven_chart(data: dict[str, Any]) -> None:
    curve, cross = breakeven_curve(data["price_book"], json.dumps(data["workload"]))
    fig = go.Figure()
    for door, part in curve.groupby("front door", sort=False):
        fig.add_scatter(x=part["requests/month"], y=part["USD"], name=str(door))
    fig.update_layout(
        title="Front door cost by monthly volume",
        xaxis_type="log",
        yaxis_type="log",
        xaxis_title="requests/month",
        yaxis_title="USD",
    )
    fig.add_vline(x=SEED_CLAIM_REQUESTS, line_dash="dot", annotation_text="seed's claim: 500k")
    for api, n in cross.items():
        if n:
            fig.add_vline(x=n, line_dash="dash", annotation_text=f"ALB < {api} from {n:,}")
    st.plotly_chart(fig, key="breakeven")


def stack_variant(data: dict[str, Any], name: str) -> dict[str, Any]:
    """The same traffic and work on another stack."""
    v = json.loads(json.dumps(data))
    spec = STACKS[name]
    v["plan"]["architecture"] = spec["architecture"]
    v["plan"]["front_door"] = spec["front_door"]
    v["plan"]["container"]["launch_type"] = spec["launch_type"]
    if spec["launch_type"] == "fargate":
        v["plan"]["container"]["task"] = {**v["plan"]["container"]["task"], "cpu_units": 1024, "memory_mb": 2048}
    return v


def compare(data: dict[str, Any]) -> None:
    names = st.multiselect("stacks to compare (up to three)", list(STACKS), max_selections=3, key="compare", default=[])
    if not names:
        st.caption("Pick up to three stacks: each runs the same traffic and work as the sidebar.")
        return
    rows = []
    for name in names:
        out = run(stack_variant(data, name))
        if out is None:
            continue
        s = out["summary"]
        rows.append(
            {
                "stack": name,
                "monthly USD": float(s["total_usd"]),
                "p99 ms": s["latency_ms"]["p99"],
                "throttled": s["requests"]["throttled"],
                "timed out": s["requests"]["timed_out"],
                "peak tasks": s["scaling"]["max_tasks"],
                "cold starts": s["lambda"]["cold_starts"],
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, key="compare_table")
    if len(table):
        st.plotly_chart(px.bar(table, x="stack", y="monthly USD", color="stack", title="Monthly cost"), key="cmp")


def recommend_panel(data: dict[str, Any], slo: float) -> None:
    st.caption(
        "The cheapest of: tasks min/max, task size, front door — meeting the p99 SLO with 99% of "
        "requests served, at 90% confidence over five traffic futures."
    )
    if not st.button("Recommend", key="recommend"):
        return
    space = {
        "plan.container.tasks": [
            {"min": lo, "max": hi, "desired": lo} for lo, hi in [(1, 5), (2, 5), (2, 10), (4, 10)]
        ],
        "plan.front_door": ["apigw-http", "alb"],
    }
    base = json.loads(json.dumps(data))
    base["traffic"]["daily_sigma"] = 0.15
    with st.spinner("searching..."):
        try:
            rec = tinysim.recommend(
                Scenario.model_validate(base),
                {"p99_ms": slo, "availability": 0.99},
                space,
                confirm_horizon_s=min(data["horizon_s"], 6 * 3600),
            )
        except (InputError, ModelsError) as exc:
            st.error(str(exc))
            return
    st.success(f"Recommended: {rec.chosen.values} — ${rec.chosen.monthly_usd}/month, p99 {rec.chosen.p99_ms:.0f} ms")
    if rec.runner_up:
        st.write(f"Runner-up: {rec.runner_up.values} — {rec.runner_up.reason}")
    if rec.cheaper_miss:
        st.write(f"Cheaper but rejected: {rec.cheaper_miss.values} — {rec.cheaper_miss.reason}")
    st.download_button(
        "Download the recommended plan.json", rec.plan.model_dump_json(indent=2), file_name="plan.json", key="dl_rec"
    )


def plan_panel(data: dict[str, Any]) -> None:
    plan = Plan.model_validate(data["plan"])
    st.download_button(
        "Download plan.json",
        plan.model_dump_json(indent=2),
        file_name="plan.json",
        mime="application/json",
        key="dl_plan",
    )
    st.code(plan.model_dump_json(indent=2), language="json")
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


def run(data: dict[str, Any]) -> dict[str, Any] | None:
    """Validate and forecast, or show what is wrong."""
    try:
        scenario = Scenario.model_validate(data)
        return forecast(scenario.model_dump_json())
    except InputError as exc:
        st.error("\n".join(exc.problems))
    except ModelsError as exc:
        st.error(str(exc))
    except tinysim.TinysimError as exc:
        st.error(f"Cannot use this traffic: {exc}")
    except ValueError as exc:  # pydantic's ValidationError
        st.error(f"Invalid settings: {exc}".splitlines()[0])
    return None


def main() -> None:
    st.set_page_config(page_title="tinysim", layout="wide")
    st.title("tinysim — what will this stack cost, and how fast will it answer?")
    name = st.sidebar.selectbox("preset", list(PRESETS), key="preset")
    if st.session_state.get("_preset") != name:  # a new preset resets the sliders to its values
        for key in list(st.session_state):
            if key not in ("preset", "_preset"):
                del st.session_state[key]
        st.session_state["_preset"] = name
    data, slo = sidebar(preset(name))
    with st.spinner("forecasting..."):
        out = run(data)
    if out is None:
        return
    headline(out["summary"], slo, out["timeline"])
    charts(out, data, slo)
    st.header("Compare stacks")
    compare(data)
    st.header("Recommend")
    recommend_panel(data, slo)
    st.header("Plan")
    plan_panel(data)


main()
