#!/usr/bin/env python3
"""Chart BenchmarkDotNet results for Orthotope.Pooling: median ns/op per workload per contender, grouped bars.

Reads BenchmarkDotNet.Artifacts/results/*-report.csv (the CSV reports BenchmarkDotNet writes by default) and
writes an SVG with a log-scale y axis. It also prints a markdown table of the medians, each with its ratio to the
median of the class's baseline row, as docs/benchmarks.md quotes them (the Median column, falling back to Mean). No third-party packages: the SVG is written directly, so the script runs
wherever python3 does.

    python3 Orthotope.Pooling.Benchmarks/plot.py [--results DIR] [--out FILE] [--linear]

Run it from the repository root after a benchmark run; by default it writes docs/benchmarks-ns-per-op.svg.
"""

import argparse
import csv
import glob
import math
import os
import sys
from xml.sax.saxutils import escape

# Workload classes in issue order, with the label each gets on the chart and the baseline method of the class
# (the [Benchmark(Baseline = true)] row, which the targets are stated against).
WORKLOADS = [
    ("RentReturn4K", "W1 RentReturn4K", "ArrayPoolShared"),
    ("MixedSizes", "W2 MixedSizes", "ArrayPoolShared"),
    ("AllCores", "W3 AllCores", "MemoryPoolShared"),
    ("CrossThread", "W4 CrossThread", "Kestrel"),
    ("PipeThroughput", "W5 Pipe (per 4 KiB)", "Kestrel"),
    ("Burst64", "W6 Burst64", "ArrayPoolShared"),
    ("Pin", "W7 Pin", "Kestrel"),
]

# Benchmark method names (one per contender, the same in every class) and their bar colours.
CONTENDERS = [
    ("ArrayPoolShared", "ArrayPool<byte>.Shared", "#8c8c8c"),
    ("MemoryPoolShared", "MemoryPool<byte>.Shared", "#4c72b0"),
    ("Kestrel", "Kestrel pinned block pool", "#dd8452"),
    ("OrthotopeMemory", "OrthotopeMemoryPool", "#55a868"),
    ("OrthotopeArray", "OrthotopeArrayPool", "#8172b3"),
]

# Time units as BenchmarkDotNet prints them, in nanoseconds (both micro signs and the ASCII fallback).
UNITS = {"ps": 1e-3, "ns": 1.0, "\u03bcs": 1e3, "\u00b5s": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


def parse_nanoseconds(text):
    """'1,234.5 ns' or '1.276 μs' -> nanoseconds as float; None for 'NA', '-' or anything unreadable."""
    parts = text.strip().split()
    if len(parts) != 2 or parts[1] not in UNITS:
        return None
    try:
        return float(parts[0].replace(",", "")) * UNITS[parts[1]]
    except ValueError:
        return None


def read_report(path):
    """Returns (job, {method: ns}) for one BenchmarkDotNet CSV report, using the first job it lists."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        rows = list(csv.DictReader(handle, delimiter=delimiter))
    if not rows or "Method" not in rows[0] or "Mean" not in rows[0]:
        return None, {}
    jobs = [row.get("Job", "") for row in rows]
    job = jobs[0]
    if len(set(jobs)) > 1:
        print(f"plot.py: {os.path.basename(path)} has several jobs {sorted(set(jobs))}; charting '{job}'",
              file=sys.stderr)
    medians = {}
    for row in rows:
        if row.get("Job", "") == job:
            value = parse_nanoseconds(row.get("Median") or row["Mean"])
            if value is not None and value > 0:
                medians[row["Method"]] = (value, row.get("Allocated", "").strip())
    return job, medians


def workload_of(path):
    """'Orthotope.Pooling.Benchmarks.RentReturn4K-report.csv' -> 'RentReturn4K'."""
    name = os.path.basename(path)[: -len("-report.csv")]
    return name.rsplit(".", 1)[-1]


def format_ns(value):
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render_svg(results, jobs, log_scale):
    """results: {workload: {method: ns}} -> SVG text."""
    workloads = [(key, label) for key, label, _ in WORKLOADS if key in results]
    values = [v for means in results.values() for v in means.values()]
    if not workloads or not values:
        raise SystemExit("plot.py: no benchmark results to chart")

    width, height = 1100, 560
    left, right, top, bottom = 80, 20, 60, 150
    plot_w, plot_h = width - left - right, height - top - bottom

    if log_scale:
        lo = 10 ** math.floor(math.log10(min(values)))
        hi = 10 ** math.ceil(math.log10(max(values)))
        if hi <= lo:
            hi = lo * 10

        def y_of(v):
            return top + plot_h * (1 - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))

        ticks = []
        t = lo
        while t <= hi * 1.0001:
            ticks.append(t)
            t *= 10
    else:
        lo, hi = 0.0, max(values) * 1.1

        def y_of(v):
            return top + plot_h * (1 - (v - lo) / (hi - lo))

        step = 10 ** math.floor(math.log10(hi / 5))
        ticks = [i * step for i in range(int(hi / step) + 1)]

    out = []
    out.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
               f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">')
    out.append(f'<rect width="{width}" height="{height}" fill="white"/>')
    scale = "log scale" if log_scale else "linear scale"
    job_text = ", ".join(sorted(set(jobs))) or "unknown"
    out.append(f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16">'
               f'Orthotope.Pooling benchmarks: median ns per operation ({scale}, lower is better)</text>')
    out.append(f'<text x="{width / 2}" y="44" text-anchor="middle" fill="#555">'
               f'BenchmarkDotNet job: {escape(job_text)}</text>')

    for t in ticks:
        y = y_of(t) if t > 0 or not log_scale else None
        if y is None:
            continue
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{format_ns(t)}</text>')
    out.append(f'<text x="18" y="{top + plot_h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {top + plot_h / 2})">ns / operation</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>')

    group_w = plot_w / len(workloads)
    bar_w = group_w * 0.8 / len(CONTENDERS)
    baseline_y = top + plot_h
    for g, (key, label) in enumerate(workloads):
        x0 = left + g * group_w + group_w * 0.1
        for c, (method, _, colour) in enumerate(CONTENDERS):
            x = x0 + c * bar_w
            value = results[key].get(method)
            if value is None:
                out.append(f'<text x="{x + bar_w / 2:.1f}" y="{baseline_y - 4}" text-anchor="middle" '
                           f'font-size="9" fill="#999">n/a</text>')
                continue
            y = y_of(value)
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{baseline_y - y:.1f}" '
                       f'fill="{colour}"><title>{escape(label)} / {escape(method)}: {format_ns(value)} ns</title></rect>')
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="8">'
                       f'{format_ns(value)}</text>')
        out.append(f'<text x="{x0 + group_w * 0.4:.1f}" y="{baseline_y + 18}" text-anchor="middle">'
                   f'{escape(label)}</text>')

    legend_y = height - bottom + 50
    for c, (_, name, colour) in enumerate(CONTENDERS):
        x = left + c * (plot_w / len(CONTENDERS))
        out.append(f'<rect x="{x:.1f}" y="{legend_y}" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{x + 20:.1f}" y="{legend_y + 12}">{escape(name)}</text>')
    out.append(f'<text x="{left}" y="{height - 30}" fill="#555">W3 is wall time over all threads per operation; '
               f'W5 is per 4 KiB segment (MB/s = 4096000 / ns); W2 Kestrel falls back to ArrayPool&lt;byte&gt;.Shared '
               f'above 4 KiB.</text>')
    out.append('</svg>')
    return "\n".join(out) + "\n"


def print_table(details):
    """Markdown: one row per workload, 'median ns (ratio to the baseline's median), allocated' per contender."""
    print("| Workload | Baseline | " + " | ".join(name for _, name, _ in CONTENDERS) + " |")
    print("|---|---|" + "---:|" * len(CONTENDERS))
    for key, label, baseline in WORKLOADS:
        rows = details.get(key)
        if not rows:
            continue
        base_value = rows[baseline][0] if baseline in rows else None
        cells = []
        for method, _, _ in CONTENDERS:
            if method not in rows:
                cells.append("n/a")
                continue
            value, allocated = rows[method]
            ratio = f" ({value / base_value:.2f})" if base_value else ""
            cells.append(f"{format_ns(value)} ns{ratio}, {allocated or '?'}")
        base_name = next((name for m, name, _ in CONTENDERS if m == baseline), "?")
        print(f"| {label} | {base_name} | " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=os.path.join("BenchmarkDotNet.Artifacts", "results"),
                        help="folder with BenchmarkDotNet's *-report.csv files")
    parser.add_argument("--out", default=os.path.join("docs", "benchmarks-ns-per-op.svg"), help="SVG file to write")
    parser.add_argument("--linear", action="store_true", help="linear y axis instead of log")
    args = parser.parse_args()

    paths = sorted(glob.glob(os.path.join(args.results, "*-report.csv")))
    if not paths:
        raise SystemExit(f"plot.py: no *-report.csv in {args.results}; run the benchmarks first")

    known = {key for key, _, _ in WORKLOADS}
    results, details, jobs = {}, {}, []
    for path in paths:
        workload = workload_of(path)
        if workload not in known:
            continue
        job, rows = read_report(path)
        if rows:
            results[workload] = {method: value for method, (value, _) in rows.items()}
            details[workload] = rows
            jobs.append(job)

    print_table(details)
    svg = render_svg(results, jobs, log_scale=not args.linear)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(svg)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
