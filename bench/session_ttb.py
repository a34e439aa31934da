#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Time to bug of the user's command itself (issue 5's done-when): for each bug switch, N runs
of

    ./hvfuzz fuzz --bug BUG --from-scratch --stop-on-finding --time CAP --engine ENGINE

on the default (whole-VM) target, each run's last line `found <kind> <title> after <S> s`
parsed, and a table of found runs, the median and spread of S, and what was found. A run
without a finding, or with a finding that is not the bug (time_to_bug.right_bug: its kind and,
for a lock-order cycle, the switch's lock classes), is censored: it counts as "> CAP" in the
median, as in bench/time_to_bug.py.

usage: bench/session_ttb.py --engine libfuzzer|afl [--runs 5] [--cap 300] [--bugs a,b]
                            [--out FILE.md]

Each run's full output is kept in $HVFUZZ_BUILD_DIR/session-ttb/<engine>-<bug>-<k>.log
(new names only, never overwritten). Runs are sequential: two engines may run side by side
(one per core), since ./hvfuzz serializes builds of a shared tree.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from time_to_bug import ACCEPT, BUGS, right_bug  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Variables ./hvfuzz fuzz or the engines read that change the search (recorded in the table).
SESSION_ENV = ("HVFUZZ_FEEDBACK", "HVFUZZ_MUTATOR", "HVFUZZ_AFL_HAVOC", "HVFUZZ_AFL_FUZZ_COUNT",
               "AFL_CUSTOM_MUTATOR_ONLY")
FOUND = re.compile(r"^found (\S+) (.*) after (\d+(?:\.\d+)?) s$", re.M)


def new_path(directory, stem, ext):
    os.makedirs(directory, exist_ok=True)
    k = 1
    while os.path.exists(os.path.join(directory, f"{stem}-{k}{ext}")):
        k += 1
    return os.path.join(directory, f"{stem}-{k}{ext}")


def one_run(engine, bug, cap, logdir):
    log = new_path(logdir, f"{engine}-{bug}", ".log")
    cmd = [os.path.join(ROOT, "hvfuzz"), "fuzz", "--bug", bug, "--from-scratch",
           "--stop-on-finding", "--time", str(cap), "--engine", engine]
    with open(log, "w") as out:
        out.write("$ " + " ".join(cmd[1:]) + "\n")
        out.flush()
        subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                       timeout=cap + 900)  # + building, if the tree is not built yet
    text = open(log, errors="replace").read()
    m = None
    for m in FOUND.finditer(text):
        pass
    if m is None:
        return None, "-", log
    kind, title, seconds = m.group(1), m.group(2), float(m.group(3))
    # The report the session wrote beside the crash file (the lock classes of a cycle).
    rep = re.search(r"\(report: (\S+)\)", text)
    rep_path = os.path.join(ROOT, rep.group(1)) if rep else None
    report = open(rep_path, errors="replace").read() if rep_path and os.path.exists(rep_path) else ""
    if not right_bug(bug, kind, report):
        return None, f"{kind} {title} (not this bug)", log
    return seconds, f"{kind} {title}", log


def fmt(s):
    return f"{s:.0f} s" if s is not None else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=["libfuzzer", "afl"], required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cap", type=int, default=300)
    ap.add_argument("--bugs", default=",".join(BUGS))
    ap.add_argument("--out", help="also write the table here (a new file; refuses to overwrite)")
    a = ap.parse_args()
    bugs = a.bugs.split(",")
    for b in bugs:
        if b not in ACCEPT or b == "none":
            sys.exit(f"session_ttb: unknown bug switch '{b}'")
    if a.out and os.path.exists(a.out):
        sys.exit(f"session_ttb: {a.out} exists; results are never overwritten")
    build = os.environ.get("HVFUZZ_BUILD_DIR", os.path.join(ROOT, "build"))
    logdir = os.path.join(build, "session-ttb")
    rows = []
    for bug in bugs:
        times, found = [], []
        for k in range(a.runs):
            seconds, what, log = one_run(a.engine, bug, a.cap, logdir)
            print(f"{a.engine} {bug} run {k + 1}: {fmt(seconds)}  {what}  ({log})", flush=True)
            times.append(seconds)
            if seconds is not None:
                found.append(what)
        ok = sorted(t for t in times if t is not None)
        # Censored runs sort after every found one: the median is exact while more than half
        # the runs found the bug, and "> cap" otherwise.
        n = len(times)
        med = ok[n // 2] if len(ok) > n // 2 else None
        median = fmt(med) if med is not None else f"> {a.cap} s"
        spread = f"{ok[0]:.0f}-{ok[-1]:.0f} s" if ok else "-"
        kinds = "; ".join(sorted(set(found))) or "-"
        rows.append(f"| {bug} | {a.engine} | {len(ok)}/{n} | {median} | {spread} | {kinds} |")
    table = ["| bug | engine | found | median time to bug | spread (found runs) | found |",
             "|---|---|---|---|---|---|", *rows]
    # The environment that changes what a session does, so a table says what it measured.
    env = " ".join(f"{k}={os.environ[k]}" for k in SESSION_ENV if os.environ.get(k))
    text = (f"`{env + ' ' if env else ''}./hvfuzz fuzz --bug BUG --from-scratch --stop-on-finding "
            f"--time {a.cap} --engine {a.engine}`, {a.runs} runs per bug, "
            f"{time.strftime('%Y-%m-%d')}\n\n" + "\n".join(table) + "\n")
    print(text)
    if a.out:
        with open(a.out, "x") as f:
            f.write(text)


if __name__ == "__main__":
    main()
