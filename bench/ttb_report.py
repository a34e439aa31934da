# SPDX-License-Identifier: Apache-2.0
"""Time-to-bug aggregation and rendering (no I/O beyond the files it is told to write).

Input: trial records (one dict per trial, as bench/time_to_bug.py writes them to trials.jsonl):
  bug, mode, trial, seed, cap (s), found (bool: a finding of an accepted kind within the cap),
  seconds (time to that finding, or null), kind (first finding's kind, or null), summary,
  execs_per_s (or null).
Censoring: a trial that hits its cap without an accepted finding is censored at the cap and
counts as not found. The median over all trials (censored ones as +infinity) is finite only
when more than half the trials found the bug; otherwise it is reported as "> cap". The ratio
(d)/(a) compares medians: when (d)'s median is censored it is a lower bound ">= cap_d/med_a";
when (a)'s is censored it is an upper bound; when both are, it is unknown.
"""

import json
import math

MODES = {
    "a": "hvfuzz: controlled + validator (libFuzzer)",
    "b": "hvfuzz: controlled + validator (AFL++)",
    "c": "controlled, no validator (libFuzzer)",
    "d": "naive: real threads + TSan deadlock detector + watchdog",
}
MODE_ORDER = ["a", "b", "c", "d"]


def median_censored(times, censored_count, cap):
    """Median of found times plus `censored_count` trials censored at `cap` (+inf).

    Returns (value, is_censored): is_censored means the median lies beyond the cap."""
    values = sorted(times) + [math.inf] * censored_count
    n = len(values)
    if n == 0:
        return None, False
    if n % 2 == 1:
        m = values[n // 2]
    else:
        lo, hi = values[n // 2 - 1], values[n // 2]
        m = math.inf if math.isinf(hi) else (lo + hi) / 2
    if math.isinf(m):
        return cap, True
    return m, False


def quantile(sorted_values, q):
    if not sorted_values:
        return None
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize(trials):
    """Per (bug, mode): counts, found rate, median (censored), spread, exec/s, other kinds."""
    groups = {}
    for t in trials:
        groups.setdefault((t["bug"], t["mode"]), []).append(t)
    out = {}
    for (bug, mode), ts in groups.items():
        found = sorted(t["seconds"] for t in ts if t["found"])
        cap = max(t["cap"] for t in ts)
        med, med_censored = median_censored(found, len(ts) - len(found), cap)
        eps = sorted(t["execs_per_s"] for t in ts if t.get("execs_per_s"))
        # How long a trial ran: to its finding, else to the cap.
        ran = sorted(t["seconds"] if t["found"] else t["cap"] for t in ts)
        # The bug itself past the cap is not another finding ("right": time_to_bug.right_bug).
        other = sorted({t["kind"] + (" (the bug, after the cap)" if t.get("right") else "")
                        for t in ts if t.get("kind") and not t["found"]})
        out.setdefault(bug, {})[mode] = {
            "trials": len(ts),
            "found": len(found),
            "found_rate": len(found) / len(ts),
            "cap": cap,
            "median_s": med,
            "median_censored": med_censored,
            "min_s": found[0] if found else None,
            "q1_s": quantile(found, 0.25),
            "q3_s": quantile(found, 0.75),
            "max_s": found[-1] if found else None,
            "found_times_s": found,
            "execs_per_s": quantile(eps, 0.5),
            "median_run_s": quantile(ran, 0.5),
            "kinds": sorted({t["kind"] for t in ts if t.get("kind") and t["found"]}),
            "other_findings": other,
        }
    return out


def ratio(d, a):
    """(text, value, bound) for median(d)/median(a); bound is '=', '>=', '<=' or None."""
    if not d or not a or a["median_s"] is None or d["median_s"] is None:
        return "n/a", None, None
    if a["median_censored"] and d["median_censored"]:
        return "n/a (neither found)", None, None
    va = max(a["median_s"], 1e-3)
    v = d["median_s"] / va
    if d["median_censored"]:
        return f">= {v:.0f}x", v, ">="
    if a["median_censored"]:
        return f"<= {v:.2g}x", v, "<="
    return f"{v:.3g}x", v, "="


def fmt_median(m):
    if m is None:
        return "-"
    if m["median_censored"]:
        return f"> {m['cap']:.0f} s"
    return f"{m['median_s']:.1f} s"


def fmt_spread(m):
    if m is None or m["min_s"] is None:
        return "-"
    if m["found"] == 1:
        return f"{m['min_s']:.1f}"
    return f"{m['min_s']:.1f}-{m['max_s']:.1f} (IQR {m['q1_s']:.1f}-{m['q3_s']:.1f})"


# Below this median trial length, exec/s mostly measures process start and the first, slow
# executions of an empty corpus (vm_fuzzer: 0.06-0.10 s to its first execution), not speed.
SHORT_TRIAL_S = 2.0
SHORT_MARK = "*"
SHORT_LEGEND = (f"{SHORT_MARK} exec/s of trials that ran a median of under {SHORT_TRIAL_S:g} s: "
                "mostly process start, not the engine's speed.")


def any_short(summary):
    """Whether some (bug, mode) gets the short-trial mark: then its legend belongs below."""
    return any(fmt_eps(m).endswith(SHORT_MARK) for per in summary.values() for m in per.values())


def fmt_eps(m):
    if m is None or m["execs_per_s"] is None:
        return "-"
    short = m.get("median_run_s") is not None and m["median_run_s"] < SHORT_TRIAL_S
    return f"{m['execs_per_s']:.0f}" + (SHORT_MARK if short else "")


def table_rows(summary, bugs, modes, with_other):
    """One row per (bug, mode) that has trials: the cells both tables show, plus the other
    findings column when `with_other`; the bug name only on its first row."""
    rows = []
    for bug in bugs:
        per = summary.get(bug, {})
        r = ratio(per.get("d"), per.get("a"))[0]
        for i, mode in enumerate(modes):
            m = per.get(mode)
            if m is None:
                continue
            row = [bug if i == 0 else "", mode, f"{m['found']}/{m['trials']}",
                   fmt_median(m), fmt_spread(m), fmt_eps(m)]
            if with_other:
                row.append(", ".join(m["other_findings"]) or "-")
            row.append(r if mode == "a" else "")
            rows.append(row)
    return rows


def markdown_table(summary, bugs, modes):
    head = ["bug", "mode", "found", "median TTB", "spread (found trials)", "exec/s",
            "other findings", "(d)/(a)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(summary, bugs, modes, True)]
    return "\n".join(lines)


def text_table(summary, bugs, modes):
    """The same table for a terminal: fixed-width columns."""
    rows = [["bug", "mode", "found", "median", "spread", "exec/s", "(d)/(a)"]]
    rows += table_rows(summary, bugs, modes, False)
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


COLORS = {"a": "#1f77b4", "b": "#2ca02c", "c": "#ff7f0e", "d": "#d62728"}


def svg_plot(summary, bugs, modes, title):
    """Time to bug per bug and mode on a log axis: a dot per found trial, a bar at the median,
    an open triangle at the cap per censored trial."""
    row_h, left, right, top = 22, 190, 40, 50
    width = 900
    rows = [(b, m) for b in bugs for m in modes if m in summary.get(b, {})]
    legend_h = 18 * len(modes) + 10
    height = top + row_h * (len(rows) + len(bugs)) + 40 + legend_h
    caps = [summary[b][m]["cap"] for b, m in rows] or [1]
    times = [t for b, m in rows for t in summary[b][m]["found_times_s"]]
    lo, hi = min([0.1] + [max(t / 2, 0.001) for t in times]), max(caps) * 1.5

    def x(v):
        v = min(max(v, lo), hi)
        return left + (width - left - right) * (math.log10(v) - math.log10(lo)) / (
            math.log10(hi) - math.log10(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{title}</text>']
    decade = 10 ** math.floor(math.log10(lo))
    while decade <= hi:
        if decade >= lo:
            xx = x(decade)
            out.append(f'<line x1="{xx:.1f}" y1="{top - 10}" x2="{xx:.1f}" '
                       f'y2="{height - legend_h - 25}" stroke="#ddd"/>')
            out.append(f'<text x="{xx:.1f}" y="{height - legend_h - 10}" '
                       f'text-anchor="middle">{decade:g} s</text>')
        decade *= 10
    y = top
    for bug in bugs:
        out.append(f'<text x="5" y="{y + 4}" font-weight="bold">{bug}</text>')
        y += row_h
        for mode in modes:
            m = summary.get(bug, {}).get(mode)
            if m is None:
                continue
            out.append(f'<text x="20" y="{y + 4}">({mode}) {m["found"]}/{m["trials"]}</text>')
            c = COLORS.get(mode, "black")
            for t in m["found_times_s"]:
                out.append(f'<circle cx="{x(t):.1f}" cy="{y}" r="4" fill="{c}" '
                           f'fill-opacity="0.7"/>')
            for _ in range(m["trials"] - m["found"]):
                xc = x(m["cap"])
                out.append(f'<path d="M{xc - 5:.1f},{y + 5} L{xc + 5:.1f},{y + 5} '
                           f'L{xc:.1f},{y - 5} Z" fill="none" stroke="{c}"/>')
            if m["median_s"] is not None:
                xm = x(m["median_s"])
                out.append(f'<line x1="{xm:.1f}" y1="{y - 8}" x2="{xm:.1f}" y2="{y + 8}" '
                           f'stroke="{c}" stroke-width="3"/>')
            y += row_h
    ly = height - legend_h + 8
    for mode in modes:
        out.append(f'<circle cx="{left}" cy="{ly - 4}" r="4" fill="{COLORS[mode]}"/>')
        out.append(f'<text x="{left + 10}" y="{ly}">({mode}) {MODES[mode]}</text>')
        ly += 18
    out.append(f'<text x="{width - 5}" y="{top - 12}" text-anchor="end" fill="#555">'
               f'dot: trial found it; bar: median; triangle: censored at cap</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def load_trials(path):
    trials = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                t = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{lineno}: bad trial record: {e}")
            for key in ("bug", "mode", "cap", "found"):
                if key not in t:
                    raise SystemExit(f"{path}:{lineno}: trial record lacks '{key}'")
            trials.append(t)
    return trials
