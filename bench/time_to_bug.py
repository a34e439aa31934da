#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Time-to-bug bench: each bug switch x mode, several trials with different fuzzer seeds.

Modes (bench/ttb_report.py MODES):
  a  libFuzzer on the whole-VM target (fuzz-plain preset, as ./hvfuzz fuzz runs it), controlled scheduler, validator
  b  the same target under AFL++ (afl-plain preset, persistent mode)
  c  as (a) with HVFUZZ_VALIDATE=0: only actual deadlock, step budget, invariants, leaks
  d  naive_stress (tsan preset): random programs on real threads, watchdog, TSan with
     detect_deadlocks=1, no lockdep-style checks (bench/naive_stress.cc says exactly what)
Every trial starts from an empty corpus (no seeds). A trial ends at its first finding or at
its cap; a finding whose kind is not one the bug can show (ACCEPT) is recorded as "other" and
the trial counts as not found. A control row ("none": no switch) shows each mode's false
alarms.

usage: time_to_bug.py run --build-dir B --out-dir D [--quick] [--trials N] [--cap S]
                          [--modes abcd] [--bugs a,b] [--jobs J] [--no-control]
       time_to_bug.py aggregate TRIALS.jsonl OUT_PREFIX [--note TEXT] [--micro-json FILE]
`run` appends each trial to OUT/<stamp>/trials.jsonl as it ends, then writes
D/<date>.md, .json and .svg and prints the table. Crash files stay in OUT/<stamp>/runs/.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ttb_report  # noqa: E402

LOCK_ORDER = {"lock-order-cycle", "deadlock", "watchdog-hang", "tsan-lock-order-inversion"}
RACE = {"invariant-violation", "tsan-data-race"}
# Which finding kinds count as finding each bug (bug_switch_test.cc shows the kinds the
# controlled engine reports; the naive harness sees the same bugs as TSan reports or hangs).
ACCEPT = {
    "xen-evtchn-kvm-lock": LOCK_ORDER,
    "kvm-lock-slots-lock": LOCK_ORDER,
    "mn-slots-rwsem": LOCK_ORDER,
    "gpc-refresh-race": RACE,
    "gpc-deactivate-race": RACE,
    "slots-arch-lock-leak": {"lock-held-at-return", "deadlock", "watchdog-hang",
                             "tsan-destroy-locked-mutex", "tsan-lock-order-inversion"},
    "memslot-arch-copy-order": RACE,
    "none": set(),  # control: every finding is a false alarm
}
BUGS = [b for b in ACCEPT if b != "none"]
# The lock classes a lock-order bug must show: an edge of the reported cycle (the recorded
# order or the closing edge of hvfuzz's lock-order-cycle report) must match. A cycle that
# closes elsewhere without the switch's edge is some other bug.
CYCLE_EDGE = {
    "xen-evtchn-kvm-lock": re.compile(r"(&vcpu->mutex|&kvm->srcu \(read\)) -> &kvm->lock$"),
    "kvm-lock-slots-lock": re.compile(r"^kvm_lock -> &kvm->slots_lock$"),
    "mn-slots-rwsem": re.compile(r"&kvm->mmu_notifier_slots_lock"),
}
EDGE_LINE = re.compile(r"^\s+#\d+\s+(.+?)\s{2,}t\d+ step ", re.M)


def cycle_edges(text):
    """The edges ("A -> B") of the first lock-order-cycle report in `text`."""
    start = text.find("==== hvfuzz: lock-order-cycle ====")
    if start < 0:
        return []
    end = text.find("possible unsafe locking scenario", start)
    return EDGE_LINE.findall(text[start:end if end > 0 else len(text)])


def right_bug(bug, kind, text):
    """Whether a finding of `kind`, reported in `text`, is `bug`: a kind the bug can show and,
    for an hvfuzz lock-order cycle, the switch's lock classes in the cycle."""
    if kind not in ACCEPT[bug]:
        return False
    if kind == "lock-order-cycle" and bug in CYCLE_EDGE:
        return any(CYCLE_EDGE[bug].search(e) for e in cycle_edges(text))
    return True


# Most bugs need operations of several slices (bug_switch_test.cc), so every mode fuzzes the
# whole-VM target, which holds every operation.
TARGET = "vm"

QUICK = {"trials": 1, "cap": 20, "jobs": 2}
FULL = {"trials": 5, "cap": 300, "jobs": 1}


def tsan_kind(text):
    m = re.search(r"WARNING: ThreadSanitizer: ([a-z -]+)", text)
    if not m:
        return None
    desc = m.group(1).strip()
    if desc.startswith("lock-order-inversion"):
        return "tsan-lock-order-inversion"
    if desc.startswith("destroy of a locked mutex"):
        return "tsan-destroy-locked-mutex"
    return "tsan-" + re.sub(r"[^a-z]+", "-", desc).strip("-")


def hvfuzz_summary(text):
    """The kind of the run's first report: hvfuzz's own ("deadlock"), else another tool's
    ("libfuzzer-timeout", "addresssanitizer-segv": never an accepted kind)."""
    m = re.search(r"^SUMMARY: hvfuzz: (\S+)(.*)$", text, re.M)
    if m:
        return m.group(1), m.group(0)
    m = re.search(r"^SUMMARY: (\w+): ([\w-]+)", text, re.M)
    if m:
        return f"{m.group(1)}-{m.group(2)}".lower(), m.group(0)
    return None, None


def run_cmd(cmd, env, cwd, log, cap):
    """Runs `cmd` with a hard limit of cap+30 s; returns (exit code, wall seconds)."""
    start = time.monotonic()
    with open(log, "w") as out:
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=cap + 30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            rc = p.wait()
    return rc, time.monotonic() - start


def trial_libfuzzer(ctx, bug, mode, seed, cap, work):
    corpus, artifacts = os.path.join(work, "corpus"), os.path.join(work, "artifacts")
    os.makedirs(corpus)
    os.makedirs(artifacts)
    env = dict(os.environ, HVFUZZ_BUGS="" if bug == "none" else bug,
               HVFUZZ_VALIDATE="0" if mode == "c" else "1",
               ASAN_OPTIONS="abort_on_error=1:detect_leaks=0:symbolize=0",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=0")
    env.pop("HVFUZZ_KNOWN_FILE", None)
    cmd = [ctx["fuzz_bin"], f"-seed={seed}", f"-max_total_time={cap}",
           f"-artifact_prefix={artifacts}/", "-print_final_stats=1", "-max_len=4096",
           "-timeout=25", "-rss_limit_mb=4096", corpus]
    if os.path.exists(ctx["fuzz_bin"] + ".dict"):  # as a session passes it (fuzz_session.sh)
        cmd.insert(1, "-dict=" + ctx["fuzz_bin"] + ".dict")
    log = os.path.join(work, "log.txt")
    rc, wall = run_cmd(cmd, env, work, log, cap)
    text = open(log, errors="replace").read()
    kind, summary = hvfuzz_summary(text)
    execs = re.search(r"stat::number_of_executed_units: (\d+)", text)
    eps = int(execs.group(1)) / max(wall, 1e-3) if execs else None
    return kind, summary, (wall if kind else None), eps


def trial_afl(ctx, bug, mode, seed, cap, work):
    inp, out = os.path.join(work, "in"), os.path.join(work, "out")
    os.makedirs(inp)
    with open(os.path.join(inp, "empty"), "wb") as f:
        f.write(b"\0")  # AFL++ needs one input; a zero byte decodes to the smallest program
    env = dict(os.environ, HVFUZZ_BUGS="" if bug == "none" else bug, HVFUZZ_VALIDATE="1",
               ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0",
               UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:symbolize=0",
               AFL_SKIP_CPUFREQ="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1",
               AFL_NO_UI="1", AFL_NO_AFFINITY="1", AFL_BENCH_UNTIL_CRASH="1")
    env.pop("HVFUZZ_KNOWN_FILE", None)
    # As a session runs it (fuzz_session.sh): the generated dictionary and, unless
    # HVFUZZ_MUTATOR=0, the structure-aware custom mutator, alone unless HVFUZZ_AFL_HAVOC=1.
    if os.path.exists(ctx["afl_mutator"]) and os.environ.get("HVFUZZ_MUTATOR", "1") != "0":
        env.update(AFL_CUSTOM_MUTATOR_LIBRARY=ctx["afl_mutator"], HVFUZZ_SLICE=TARGET)
        if os.environ.get("HVFUZZ_AFL_HAVOC", "0") == "0":
            env.update(AFL_CUSTOM_MUTATOR_ONLY="1")
    dict_args = ["-x", ctx["afl_bin"] + ".dict"] if os.path.exists(ctx["afl_bin"] + ".dict") else []
    cmd = ["afl-fuzz", "-i", inp, "-o", out, "-s", str(seed), "-V", str(cap)] + dict_args + [
           "--", ctx["afl_bin"]]
    start = time.time()
    rc, wall = run_cmd(cmd, env, work, os.path.join(work, "log.txt"), cap)
    crashes = sorted(
        (os.path.getmtime(os.path.join(d, f)), os.path.join(d, f))
        for d in [os.path.join(out, "default", "crashes")] if os.path.isdir(d)
        for f in os.listdir(d) if f.startswith("id:"))
    stats = {}
    statfile = os.path.join(out, "default", "fuzzer_stats")
    if os.path.exists(statfile):
        for line in open(statfile):
            k, _, v = line.partition(":")
            stats[k.strip()] = v.strip()
    eps = None
    if "execs_done" in stats and "run_time" in stats and float(stats["run_time"]) > 0:
        eps = float(stats["execs_done"]) / float(stats["run_time"])
    elif "execs_per_sec" in stats:
        eps = float(stats["execs_per_sec"])
    if not crashes:
        return None, None, None, eps
    mtime, crash = crashes[0]
    # The report: the crash replayed by the standalone replayer with the same switches.
    rep = subprocess.run([ctx["replay_bin"], crash], env=env, capture_output=True, text=True,
                         timeout=120)
    with open(os.path.join(work, "crash-report.txt"), "w") as f:
        f.write(rep.stdout + rep.stderr)
    kind, summary = hvfuzz_summary(rep.stdout + rep.stderr)
    if kind is None:
        kind, summary = "not-reproduced", "AFL++ crash that the replayer does not reproduce"
    return kind, summary, max(mtime - start, 0.0), eps


def trial_naive(ctx, bug, mode, seed, cap, work):
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "naive_tsan.supp")
    env = dict(os.environ, HVFUZZ_BUGS="" if bug == "none" else bug,
               TSAN_OPTIONS="halt_on_error=1:detect_deadlocks=1:second_deadlock_stack=1:"
               f"suppressions={supp}")
    cmd = [ctx["naive_bin"], "--slice", TARGET, "--seed", str(seed), "--time", str(cap)]
    log = os.path.join(work, "log.txt")
    rc, wall = run_cmd(cmd, env, work, log, cap)
    text = open(log, errors="replace").read()
    kind, summary = hvfuzz_summary(text)
    tk = tsan_kind(text)
    hv = text.find("SUMMARY: hvfuzz")
    if tk and (hv < 0 or text.find("WARNING: ThreadSanitizer") < hv):
        kind = tk
        m = re.search(r"^SUMMARY: ThreadSanitizer: .*$", text, re.M)
        summary = m.group(0) if m else tk
    eps = None
    counts = re.findall(r"naive-(?:status|finding|done): .*?execs=(\d+)(?: elapsed=([\d.]+))?",
                        text)
    status = re.findall(r"execs=(\d+) elapsed=([\d.]+)", text)
    if status:
        n, t = status[-1]
        eps = int(n) / max(float(t), 1e-3)
    elif counts:
        eps = int(counts[-1][0]) / max(wall, 1e-3)
    if kind is None and rc not in (0,):
        kind, summary = f"exit-{rc}", f"naive_stress exited {rc} without a report"
    return kind, summary, (wall if kind else None), eps


RUNNERS = {"a": trial_libfuzzer, "b": trial_afl, "c": trial_libfuzzer, "d": trial_naive}


def run(args):
    preset = FULL if not args.quick else QUICK
    trials = args.trials or preset["trials"]
    cap = args.cap or preset["cap"]
    jobs = args.jobs or preset["jobs"]
    b = os.path.abspath(args.build_dir)
    ctx = {
        "fuzz_bin": f"{b}/fuzz-plain/targets/{TARGET}_fuzzer",
        "replay_bin": f"{b}/fuzz-plain/targets/{TARGET}_fuzzer_replay",
        "afl_bin": f"{b}/afl-plain/targets/{TARGET}_fuzzer",
        "naive_bin": f"{b}/tsan/bench/naive_stress",
        "afl_mutator": f"{b}/release/targets/libhvfuzz_afl_mutator.so",
    }
    modes = [m for m in ttb_report.MODE_ORDER if m in args.modes]
    need = {"a": ["fuzz_bin"], "b": ["afl_bin", "replay_bin"], "c": ["fuzz_bin"],
            "d": ["naive_bin"]}
    for m in modes:
        for k in need[m]:
            if not os.access(ctx[k], os.X_OK):
                raise SystemExit(f"time_to_bug: {ctx[k]} is not built (mode {m})")
    if "b" in modes and shutil.which("afl-fuzz") is None:
        raise SystemExit("time_to_bug: afl-fuzz is not installed (mode b)")
    bugs = args.bugs.split(",") if args.bugs else list(BUGS)
    for bug in bugs:
        if bug not in ACCEPT:
            raise SystemExit(f"time_to_bug: unknown bug '{bug}' (known: {', '.join(BUGS)})")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    session = os.path.join(b, "bench-ttb", stamp)
    os.makedirs(session)
    jsonl = os.path.join(session, "trials.jsonl")
    plan = [(bug, mode, t) for t in range(trials) for bug in bugs for mode in modes]
    if not args.no_control:
        plan += [("none", mode, t) for t in range(min(trials, 2)) for mode in ("a", "d")
                 if mode in modes]
    worst = len(plan) * (cap + 5) / jobs
    print(f"time-to-bug: {len(bugs)} bugs x modes {''.join(modes)} x {trials} trial(s), cap "
          f"{cap} s, {jobs} at a time, {len(plan)} trials (at most ~{worst / 60:.0f} min); "
          f"log: {jsonl}", flush=True)
    lock = threading.Lock()

    def one(item):
        bug, mode, t = item
        seed = 1000 + t
        work = os.path.join(session, "runs", bug, mode, str(t))
        os.makedirs(work)
        kind, summary, seconds, eps = RUNNERS[mode](ctx, bug, mode, seed, cap, work)
        report = os.path.join(work, "crash-report.txt")  # AFL++: the replayed crash
        if not os.path.exists(report):
            report = os.path.join(work, "log.txt")
        text = open(report, errors="replace").read() if os.path.exists(report) else ""
        right = kind is not None and right_bug(bug, kind, text)
        found = right and seconds is not None and seconds <= cap
        rec = {"bug": bug, "mode": mode, "trial": t, "seed": seed, "cap": cap, "found": found,
               "right": right,
               "seconds": round(seconds, 3) if found else None, "kind": kind,
               "summary": summary, "execs_per_s": round(eps, 1) if eps else None,
               "work": os.path.relpath(work, b)}
        with lock:
            with open(jsonl, "a") as f:
                f.write(json.dumps(rec) + "\n")
            if found:
                status = f"found {kind} after {seconds:.1f} s"
            elif right:  # e.g. libFuzzer's crash a moment past -max_total_time
                at = f" at {seconds:.1f} s," if seconds is not None else ""
                status = f"found {kind}{at} after the {cap} s cap (censored)"
            else:
                status = f"other finding: {kind}" if kind else f"not found in {cap} s"
            print(f"  {bug:24} ({mode}) seed {seed}: {status}"
                  f"{'' if not eps else f', {eps:.0f} exec/s'}", flush=True)
        return rec

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, plan))
    kind = "quick" if args.quick else (
        "full" if (trials, cap) == (FULL["trials"], FULL["cap"]) else "partial (not the full 5 x 300 s)")
    note = (f"{kind} run, modes {''.join(modes)}: {trials} trial(s) per bug and mode, cap "
            f"{cap} s, {jobs} trial(s) at a time on a {os.cpu_count()}-core machine shared "
            "with other work (timings are noisy)")
    date = datetime.date.today().isoformat()
    os.makedirs(args.out_dir, exist_ok=True)
    prefix = os.path.join(args.out_dir, date + ("-quick" if args.quick else ""))
    n = 2
    base = prefix
    while os.path.exists(prefix + ".md"):  # an earlier run of the day stays as it is
        prefix = f"{base}-{n}"
        n += 1
    write_outputs(ttb_report.load_trials(jsonl), prefix, note, args.micro_json)
    return 0


def write_outputs(trials, prefix, note, micro_json=None):
    summary = ttb_report.summarize(trials)
    bugs = [b for b in list(BUGS) + ["none"] if b in summary]
    bugs += sorted(b for b in summary if b not in bugs)
    modes = [m for m in ttb_report.MODE_ORDER if any(m in summary[b] for b in bugs)]
    micro = None
    if micro_json and os.path.exists(micro_json):
        micro = json.load(open(micro_json))
    title = f"hvfuzz time to bug by mode ({os.path.basename(prefix)})"
    with open(prefix + ".svg", "w") as f:
        f.write(ttb_report.svg_plot(summary, bugs, modes, title))
    ratios = {b: dict(zip(("text", "value", "bound"),
                          ttb_report.ratio(summary[b].get("d"), summary[b].get("a"))))
              for b in bugs}
    with open(prefix + ".json", "w") as f:
        json.dump({"note": note, "modes": ttb_report.MODES, "summary": summary,
                   "ratio_d_over_a": ratios, "micro": micro, "trials": trials}, f, indent=1)
    md = [f"# Time to bug, {os.path.basename(prefix)}", "", note + ".", "",
          "Modes: " + "; ".join(f"({m}) {ttb_report.MODES[m]}" for m in modes) + ".", "",
          "Found = the bug within the cap: a finding of a kind it can show and, for a lock-order "
          "cycle, its switch's lock classes in the cycle; censored trials count "
          "as not found. Median over all trials (censored = beyond the cap), so '> cap' when "
          "half or more were censored; the ratio (d)/(a) is then a bound. 'none' is the "
          "control: no bug switch, so every finding there is a false alarm.", "",
          ttb_report.markdown_table(summary, bugs, modes), ""]
    if ttb_report.any_short(summary):
        md += [ttb_report.SHORT_LEGEND, ""]
    md += [f"Plot: {os.path.basename(prefix)}.svg", ""]
    if micro:
        md += ["## Microbenchmarks (release preset, CPU time)", "", "| benchmark | value |",
               "|---|---|"]
        md += [f"| {k} | {v} |" for k, v in micro.items()]
        md.append("")
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(md))
    print()
    print(ttb_report.text_table(summary, bugs, modes))
    if ttb_report.any_short(summary):
        print(ttb_report.SHORT_LEGEND)
    print(f"\n{note}\nwritten: {prefix}.md, {prefix}.json, {prefix}.svg")


STANDARD_KEYS = {"family_index", "per_family_instance_index", "repetitions",
                 "repetition_index", "threads", "iterations", "real_time", "cpu_time",
                 "items_per_second", "bytes_per_second", "findings"}


def micro_figures(files):
    """One line per Google Benchmark result (--benchmark_out JSON files): its rate counters,
    else its CPU time."""
    figures = {}
    for path in files:
        if not os.path.exists(path):
            continue
        try:
            data = json.load(open(path))
        except json.JSONDecodeError:
            figures[os.path.basename(path)] = "ERROR: no results (see the bench output)"
            continue
        for bm in data.get("benchmarks", []):
            if bm.get("run_type") == "aggregate" and bm.get("aggregate_name") != "median":
                continue
            name = os.path.basename(path).replace(".json", "") + ":" + bm["name"]
            if bm.get("error_occurred"):
                figures[name] = "ERROR: " + bm.get("error_message", "")
                continue
            parts = []
            if "exec/s" in bm:
                parts.append(f"{bm['exec/s']:.0f} exec/s")
            if "ns/op" in bm:
                parts.append(f"{bm['ns/op']:.0f} ns/op")
            # Every other user counter (per-switch times, RSS figures, ...).
            parts += [f"{k} {bm[k]:.4g}" for k in sorted(bm)
                      if k not in STANDARD_KEYS and k not in ("exec/s", "ns/op")
                      and isinstance(bm[k], (int, float))]
            if not parts:
                parts.append(f"{bm['cpu_time']:.1f} {bm.get('time_unit', 'ns')} CPU")
            figures[name] = ", ".join(parts)
    return figures


def main(argv):
    ap = argparse.ArgumentParser(prog="time_to_bug.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--build-dir", required=True)
    r.add_argument("--out-dir", required=True)
    r.add_argument("--quick", action="store_true")
    r.add_argument("--trials", type=int)
    r.add_argument("--cap", type=int)
    r.add_argument("--jobs", type=int)
    r.add_argument("--modes", default="abcd")
    r.add_argument("--bugs")
    r.add_argument("--no-control", action="store_true")
    r.add_argument("--micro-json", help="key microbenchmark figures to include in the report")
    mi = sub.add_parser("micro")
    mi.add_argument("out")
    mi.add_argument("files", nargs="+")
    g = sub.add_parser("aggregate")
    g.add_argument("trials")
    g.add_argument("prefix")
    g.add_argument("--note", default="aggregated from a trial log")
    g.add_argument("--micro-json")
    j = sub.add_parser("judge", help="exit 0 when the log's first report is BUG (right_bug)")
    j.add_argument("bug", choices=BUGS)
    j.add_argument("log")
    args = ap.parse_args(argv)
    if args.cmd == "judge":
        text = open(args.log, errors="replace").read()
        kind, _ = hvfuzz_summary(text)
        return 0 if kind is not None and right_bug(args.bug, kind, text) else 1
    if args.cmd == "run":
        return run(args)
    if args.cmd == "micro":
        with open(args.out, "w") as f:
            json.dump(micro_figures(args.files), f, indent=1)
        return 0
    write_outputs(ttb_report.load_trials(args.trials), args.prefix, args.note, args.micro_json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
