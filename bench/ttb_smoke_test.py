#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Smoke test of the time-to-bug bench (seconds; not a bench run):
  1. aggregation of a hand-made trial log (bench/testdata/fake_trials.jsonl: made-up numbers
     whose medians and ratios are worked out below) into the table, JSON and SVG, including
     censored medians and the (d)/(a) bounds;
  2. the naive harness runs: naive_stress (path given as argv[1]) on the clean model for 1 s
     prints its status lines and ends with naive-done (or a finding, exit 1).
usage: ttb_smoke_test.py NAIVE_STRESS_BINARY
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import ttb_report  # noqa: E402

NAIVE = None


class AggregationTest(unittest.TestCase):
    def setUp(self):
        self.trials = ttb_report.load_trials(os.path.join(HERE, "testdata", "fake_trials.jsonl"))
        self.summary = ttb_report.summarize(self.trials)

    def test_medians_with_censoring(self):
        x = self.summary["bug-x"]
        self.assertEqual(x["a"]["median_s"], 4.0)
        self.assertFalse(x["a"]["median_censored"])
        self.assertTrue(x["d"]["median_censored"])  # 0/3 found: beyond the cap
        self.assertEqual(x["d"]["found_rate"], 0.0)
        y = self.summary["bug-y"]
        self.assertEqual(y["a"]["median_s"], 3.0)  # [1, 3, censored]
        self.assertEqual(y["d"]["median_s"], 200.0)  # [100, 200, censored]
        self.assertEqual(y["d"]["other_findings"], ["tsan-heap-use-after-free"])

    def test_even_count_median_with_a_censored_half(self):
        self.assertEqual(ttb_report.median_censored([2.0], 1, 30), (30, True))
        self.assertEqual(ttb_report.median_censored([2.0, 4.0], 0, 30), (3.0, False))
        self.assertEqual(ttb_report.median_censored([2.0, 4.0], 1, 30), (4.0, False))

    def test_ratio_bounds(self):
        s = self.summary
        self.assertEqual(ttb_report.ratio(s["bug-x"]["d"], s["bug-x"]["a"])[0], ">= 75x")
        self.assertEqual(ttb_report.ratio(s["bug-y"]["d"], s["bug-y"]["a"])[0], "66.7x")
        self.assertTrue(
            ttb_report.ratio(s["bug-z"]["d"], s["bug-z"]["a"])[0].startswith("n/a"))

    def test_exec_rate_of_short_trials_is_marked(self):
        def trial(mode, seconds, found=True):
            return {"bug": "b", "mode": mode, "trial": 0, "seed": 1, "cap": 300, "found": found,
                    "seconds": seconds if found else None, "kind": "deadlock" if found else None,
                    "summary": None, "execs_per_s": 250.0}
        s = ttb_report.summarize([trial("a", 0.4), trial("a", 0.6), trial("a", 5.0),
                                  trial("d", 4.0), trial("d", 0.5, found=False)])
        self.assertEqual(ttb_report.fmt_eps(s["b"]["a"]), "250" + ttb_report.SHORT_MARK)
        self.assertEqual(ttb_report.fmt_eps(s["b"]["d"]), "250")  # median of 4 s and the cap
        self.assertTrue(ttb_report.any_short(s))
        self.assertFalse(ttb_report.any_short(self.summary))  # the fake trials all run >= 2 s

    def test_outputs(self):
        sys.path.insert(0, HERE)
        import time_to_bug
        with tempfile.TemporaryDirectory() as d:
            prefix = os.path.join(d, "2000-01-01")
            time_to_bug.write_outputs(self.trials, prefix, "smoke test")
            md = open(prefix + ".md").read()
            self.assertIn("| bug-x | a | 3/3 | 4.0 s |", md)
            self.assertIn(">= 75x", md)
            self.assertIn("| bug-z | a | 0/2 | > 300 s |", md)
            data = json.load(open(prefix + ".json"))
            self.assertEqual(data["ratio_d_over_a"]["bug-x"]["bound"], ">=")
            svg = open(prefix + ".svg").read()
            self.assertTrue(svg.startswith("<svg") and svg.rstrip().endswith("</svg>"))
            self.assertEqual(svg.count("<circle") - 2, 3 + 2 + 2)  # found trials + 2 legend dots

    def test_bad_record_names_file_and_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write('{"bug": "x", "mode": "a", "cap": 1, "found": false}\n{oops\n')
        with self.assertRaises(SystemExit) as e:
            ttb_report.load_trials(f.name)
        os.unlink(f.name)
        self.assertIn(":2: bad trial record", str(e.exception))


class TrialClassificationTest(unittest.TestCase):
    """A trial's first report decides its kind; fake engines stand in for the real ones."""

    def fake(self, d, script):
        path = os.path.join(d, "fake")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + script)
        os.chmod(path, 0o755)
        work = os.path.join(d, "work")
        os.makedirs(work)
        return path, work

    def test_libfuzzer_trial_reads_the_hvfuzz_summary_and_exec_count(self):
        import time_to_bug
        with tempfile.TemporaryDirectory() as d:
            fake, work = self.fake(d, 'echo "SUMMARY: hvfuzz: lock-order-cycle in f" >&2\n'
                                      'echo "stat::number_of_executed_units: 500" >&2\nexit 1\n')
            kind, summary, seconds, eps = time_to_bug.trial_libfuzzer(
                {"fuzz_bin": fake}, "kvm-lock-slots-lock", "a", 1, 5, work)
            self.assertEqual(kind, "lock-order-cycle")
            self.assertLess(seconds, 5)
            self.assertGreater(eps, 0)

    def test_naive_trial_takes_tsan_report_before_anything_else(self):
        import time_to_bug
        with tempfile.TemporaryDirectory() as d:
            fake, work = self.fake(
                d, 'echo "naive-status: execs=10 elapsed=1.0" >&2\n'
                   'echo "WARNING: ThreadSanitizer: data race (pid=1)" >&2\n'
                   'echo "SUMMARY: ThreadSanitizer: data race x" >&2\nexit 66\n')
            kind, _, seconds, eps = time_to_bug.trial_naive(
                {"naive_bin": fake}, "gpc-refresh-race", "d", 1, 5, work)
            self.assertEqual(kind, "tsan-data-race")
            self.assertEqual(eps, 10.0)

    def test_other_tools_summaries_are_kinds_no_bug_accepts(self):
        import time_to_bug
        self.assertEqual(time_to_bug.hvfuzz_summary("SUMMARY: libFuzzer: timeout\n")[0],
                         "libfuzzer-timeout")
        for accepted in time_to_bug.ACCEPT.values():
            self.assertNotIn("libfuzzer-timeout", accepted)


class RightBugTest(unittest.TestCase):
    """A lock-order cycle counts for a switch only when the switch's lock classes are in it.
    The reports are real: AFL++ sessions of 2026-12-03 with kvm-lock-slots-lock (a 5-class
    cycle through kvm_lock -> &kvm->slots_lock) and with xen-evtchn-kvm-lock."""

    def report(self, name):
        with open(os.path.join(HERE, "testdata", f"report-{name}.txt")) as f:
            return f.read()

    def test_edges_of_the_cycle(self):
        import time_to_bug
        self.assertEqual(time_to_bug.cycle_edges(self.report("kvm-lock-slots-lock")), [
            "&kvm->arch.xen.xen_lock -> cpu_hotplug_lock (read)",
            "cpu_hotplug_lock (read) -> kvm_lock",
            "kvm_lock -> &kvm->slots_lock",
            "&kvm->slots_lock -> &kvm->srcu (sync)",
            "&kvm->srcu (read) -> &kvm->arch.xen.xen_lock"])
        self.assertEqual(time_to_bug.cycle_edges(self.report("xen-evtchn-kvm-lock")),
                         ["&vcpu->mutex -> &kvm->lock", "&kvm->lock -> &vcpu->mutex"])
        self.assertEqual(time_to_bug.cycle_edges("no report here"), [])

    def test_each_cycle_is_its_own_switchs_bug_only(self):
        import time_to_bug
        for name in ("kvm-lock-slots-lock", "xen-evtchn-kvm-lock"):
            text = self.report(name)
            for bug in ("kvm-lock-slots-lock", "xen-evtchn-kvm-lock", "mn-slots-rwsem"):
                self.assertEqual(time_to_bug.right_bug(bug, "lock-order-cycle", text), bug == name,
                                 f"{name}'s report judged for {bug}")

    def test_judge_command_exits_0_only_for_the_bug(self):
        report = os.path.join(HERE, "testdata", "report-kvm-lock-slots-lock.txt")
        for bug, rc in (("kvm-lock-slots-lock", 0), ("xen-evtchn-kvm-lock", 1)):
            p = subprocess.run([sys.executable, os.path.join(HERE, "time_to_bug.py"), "judge",
                                bug, report], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, rc, p.stderr)

    def test_kind_still_decides_first(self):
        import time_to_bug
        text = self.report("kvm-lock-slots-lock")
        self.assertFalse(time_to_bug.right_bug("gpc-refresh-race", "lock-order-cycle", text))
        self.assertTrue(time_to_bug.right_bug("gpc-refresh-race", "invariant-violation", ""))


class LateFindingTest(unittest.TestCase):
    def test_the_bug_after_the_cap_is_censored_not_another_finding(self):
        trial = {"bug": "gpc-deactivate-race", "mode": "c", "trial": 0, "seed": 1000, "cap": 20,
                 "found": False, "right": True, "seconds": None, "kind": "invariant-violation",
                 "summary": "SUMMARY: hvfuzz: invariant-violation in hva_to_pfn_retry",
                 "execs_per_s": 10.0}
        m = ttb_report.summarize([trial])["gpc-deactivate-race"]["c"]
        self.assertEqual(m["found"], 0)
        self.assertTrue(m["median_censored"])
        self.assertEqual(m["other_findings"], ["invariant-violation (the bug, after the cap)"])
        trial["right"] = False
        m = ttb_report.summarize([trial])["gpc-deactivate-race"]["c"]
        self.assertEqual(m["other_findings"], ["invariant-violation"])


class NaiveHarnessTest(unittest.TestCase):
    def test_runs_and_reports_progress(self):
        env = dict(os.environ, HVFUZZ_BUGS="",
                   TSAN_OPTIONS="halt_on_error=1:detect_deadlocks=0")
        p = subprocess.run([NAIVE, "--slice", "gpc", "--seed", "1", "--time", "1.5"], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertIn(p.returncode, (0, 1), p.stderr[-2000:])
        self.assertRegex(p.stderr, r"naive-(done|finding): ")
        if p.returncode == 0:
            self.assertRegex(p.stderr, r"naive-status: execs=\d+ elapsed=")

    def test_usage_errors_exit_2(self):
        p = subprocess.run([NAIVE, "--slice", "nope"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown slice 'nope'", p.stderr)


if __name__ == "__main__":
    NAIVE = sys.argv.pop(1)
    unittest.main()
