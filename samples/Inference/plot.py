#!/usr/bin/env python3
"""Chart the Inference sample's results: time and memory per request for each mode, as an SVG.

Reads the CSV the sample writes with --csv and draws three panels of bars, one bar per mode: milliseconds per
request, bytes allocated per request (garbage the GC must collect), and bytes of buffers held per request (what the
source set aside for one request's buffers, rounding included, against the bytes asked for). No third-party
packages: the SVG is written directly, as Orthotope.Pooling.Benchmarks/plot.py does.

    dotnet run -c Release --project samples/Inference -- --requests 10000 --csv docs/tensors-inference.csv
    python3 samples/Inference/plot.py [--csv docs/tensors-inference.csv] [--out docs/tensors-per-request.svg]
"""

import argparse
import csv
import os
from xml.sax.saxutils import escape

COLOURS = {
    "OrthotopeMemoryPool<float>": "#55a868",
    "ArrayPool<float>.Shared": "#8c8c8c",
    "new float[]": "#c44e52",
}

PANELS = [
    ("ms_per_request", "time per request (ms)", lambda v: f"{v:.2f} ms"),
    ("allocated_bytes_per_request", "allocated per request (KiB)", lambda v: f"{v / 1024:.1f} KiB"),
    ("held_bytes_per_request", "buffers held per request (KiB)", lambda v: f"{v / 1024:.1f} KiB"),
]


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise SystemExit(f"plot.py: {path} has no rows")
    return rows


def render(rows):
    width, height = 1100, 330
    panel_w, top, left_pad, bar_h, gap = 340, 80, 10, 34, 14
    requests = rows[0]["requests"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16">Inference sample: MLP 784-1024-1024-10, '
           f'batch 32, float32, {escape(requests)} requests per mode (lower is better)</text>',
           f'<text x="{width / 2}" y="44" text-anchor="middle" fill="#555">samples/Inference; each request rents '
           f'{float(rows[0]["requested_bytes_per_request"]) / 1024:.1f} KiB in 5 buffers and gives them back together</text>']
    for p, (column, title, fmt) in enumerate(PANELS):
        x0 = 20 + p * (panel_w + 20)
        values = [float(r[column]) for r in rows]
        top_value = max(values) or 1.0
        if column == "held_bytes_per_request":
            top_value = max(top_value, float(rows[0]["requested_bytes_per_request"]))
        scale = (panel_w - 110) / top_value
        out.append(f'<text x="{x0 + panel_w / 2}" y="{top - 14}" text-anchor="middle" font-size="13">{escape(title)}</text>')
        for i, row in enumerate(rows):
            y = top + i * (bar_h + gap)
            value = float(row[column])
            w = max(value * scale, 0.5)
            colour = COLOURS.get(row["mode"], "#4c72b0")
            out.append(f'<rect x="{x0 + left_pad}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                       f'<title>{escape(row["mode"])}: {escape(fmt(value))}</title></rect>')
            out.append(f'<text x="{x0 + left_pad + w + 4:.1f}" y="{y + bar_h / 2 + 4}">{escape(fmt(value))}</text>')
        if column == "held_bytes_per_request":
            asked = float(rows[0]["requested_bytes_per_request"]) * scale
            y_end = top + len(rows) * (bar_h + gap)
            out.append(f'<line x1="{x0 + left_pad + asked:.1f}" y1="{top - 4}" x2="{x0 + left_pad + asked:.1f}" '
                       f'y2="{y_end - gap + 4}" stroke="#333" stroke-dasharray="4 3"/>')
            out.append(f'<text x="{x0 + left_pad + asked - 4:.1f}" y="{y_end + 8}" text-anchor="end" fill="#333">'
                       f'asked for</text>')
    legend_y = height - 40
    for i, row in enumerate(rows):
        x = 40 + i * 350
        gc = f'gen0/1/2 {row["gen0"]}/{row["gen1"]}/{row["gen2"]}'
        out.append(f'<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{COLOURS.get(row["mode"], "#4c72b0")}"/>')
        out.append(f'<text x="{x + 20}" y="{legend_y + 12}">{escape(row["mode"])} ({escape(gc)})</text>')
    out.append('</svg>')
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default=os.path.join("docs", "tensors-inference.csv"), help="the sample's --csv output")
    parser.add_argument("--out", default=os.path.join("docs", "tensors-per-request.svg"), help="SVG file to write")
    args = parser.parse_args()
    svg = render(read_rows(args.csv))
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(svg)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
