#!/usr/bin/env python3
"""Chart the timeline mode's CSV: memory over time per contender, burst-then-idle.

Reads the CSV that `--timeline` writes (default docs/memory-timeline.csv) and writes an SVG with two panels:
the managed heap above the process's baseline (GC.GetTotalMemory(false), which counts pooled arrays and garbage
not yet collected), and the process's working set. The Orthotope pool's own ReservedBytes is drawn dashed in the
first panel. No third-party packages: the SVG is written directly.

    python3 Orthotope.Pooling.Benchmarks/plot_timeline.py [--csv FILE] [--out FILE]
"""

import argparse
import csv
import math
import os
from xml.sax.saxutils import escape

from plot import CONTENDERS

MIB = 1024 * 1024


def read(path):
    """-> (samples {contender: [(t_s, heap, working_set, reserved)]}, baselines {contender: bytes}, events)."""
    samples, baselines, events = {}, {}, {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            who = row["contender"]
            t = int(row["t_ms"]) / 1000.0
            if row["kind"] == "sample":
                samples.setdefault(who, []).append(
                    (t, int(row["heap_bytes"]), int(row["working_set_bytes"]), int(row["reserved_bytes"])))
            elif row["event"] == "baseline":
                baselines[who] = int(row["value"])
            else:
                events.setdefault(who, {})[row["event"]] = t
    return samples, baselines, events


def nice_step(span, count=6):
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def panel(out, x0, y0, w, h, title, series, t_max, bursts, y_label):
    """series: [(label, colour, dashed, [(t, MiB)])]."""
    y_max = max((v for _, _, _, points in series for _, v in points), default=1) * 1.08 or 1
    y_min = min(0, min((v for _, _, _, points in series for _, v in points), default=0))
    step = nice_step(y_max - y_min)

    def x_of(t):
        return x0 + w * t / t_max

    def y_of(v):
        return y0 + h * (1 - (v - y_min) / (y_max - y_min))

    out.append(f'<text x="{x0}" y="{y0 - 10}" font-size="14">{escape(title)}</text>')
    for start, end, name in bursts:
        out.append(f'<rect x="{x_of(start):.1f}" y="{y0}" width="{max(1.0, x_of(end) - x_of(start)):.1f}" '
                   f'height="{h}" fill="#f3e6c4"/>')
        out.append(f'<text x="{x_of(start) + 2:.1f}" y="{y0 + 12}" font-size="10" fill="#8a6d1f">{escape(name)}</text>')
    v = math.ceil(y_min / step) * step
    while v <= y_max:
        y = y_of(v)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="#e2e2e2"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
        v += step
    t_step = nice_step(t_max, 8)
    t = 0.0
    while t <= t_max + 1e-9:
        out.append(f'<text x="{x_of(t):.1f}" y="{y0 + h + 16}" text-anchor="middle">{t:g}</text>')
        t += t_step
    out.append(f'<text x="{x0 + w / 2}" y="{y0 + h + 34}" text-anchor="middle">seconds</text>')
    out.append(f'<text x="{x0 - 50}" y="{y0 + h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 - 50} {y0 + h / 2})">{escape(y_label)}</text>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#333"/>')
    for label, colour, dashed, points in series:
        if not points:
            continue
        path = " ".join(f"{x_of(t):.1f},{y_of(v):.1f}" for t, v in points)
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.8"{dash}>'
                   f'<title>{escape(label)}</title></polyline>')


def render(samples, baselines, events):
    width, height = 1100, 820
    left, right = 90, 30
    plot_w = width - left - right
    t_max = max(t for points in samples.values() for t, _, _, _ in points)
    reference = events.get("OrthotopeMemory") or next(iter(events.values()))
    bursts = [(reference[f"burst{i}-rent"], reference[f"burst{i}-returned"], f"burst {i}")
              for i in (1, 2) if f"burst{i}-rent" in reference]

    heap, working_set = [], []
    for method, name, colour in CONTENDERS:
        points = samples.get(method)
        if not points:
            continue
        base = baselines.get(method, points[0][1])
        heap.append((name, colour, False, [(t, (h - base) / MIB) for t, h, _, _ in points]))
        working_set.append((name, colour, False, [(t, ws / MIB) for t, _, ws, _ in points]))
        if method == "OrthotopeMemory":
            heap.append((name + " ReservedBytes", colour, True, [(t, r / MIB) for t, _, _, r in points if r >= 0]))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="26" text-anchor="middle" font-size="16">Memory over time: two bursts of '
           f'4 KiB blocks, then idle (lower is better once idle)</text>']
    panel(out, left, 70, plot_w, 270, "Managed heap above baseline (GC.GetTotalMemory, garbage included)",
          heap, t_max, bursts, "MiB")
    panel(out, left, 420, plot_w, 270, "Process working set", working_set, t_max, bursts, "MiB")
    legend_y = 750
    entries = [(name, colour, False) for _, name, colour in CONTENDERS if any(s[0] == name for s in heap)]
    entries.append(("OrthotopeMemoryPool ReservedBytes (its own figure)", CONTENDERS[3][2], True))
    column = plot_w / 3
    for i, (name, colour, dashed) in enumerate(entries):
        x = left + (i % 3) * column
        y = legend_y + (i // 3) * 22
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x + 28:.1f}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{x + 34:.1f}" y="{y + 4}">{escape(name)}</text>')
    out.append(f'<text x="{left}" y="{height - 12}" fill="#555">A full blocking GC every 5 s; Kestrel\'s pool comes '
               f'from a started server, whose heartbeat drives its eviction. Shaded: rent, hold 1 s, return.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default=os.path.join("docs", "memory-timeline.csv"), help="the timeline mode's CSV")
    parser.add_argument("--out", default=os.path.join("docs", "memory-timeline.svg"), help="SVG file to write")
    args = parser.parse_args()
    samples, baselines, events = read(args.csv)
    if not samples:
        raise SystemExit(f"plot_timeline.py: no samples in {args.csv}; run the timeline mode first")
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(render(samples, baselines, events))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
