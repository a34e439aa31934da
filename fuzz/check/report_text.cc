// SPDX-License-Identifier: Apache-2.0
// RenderText: the lockdep-shaped report (layout in report.h). Sections are functions appending
// to one string; aligned blocks go through Table so column widths follow the content.
#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>

#include "fuzz/check/report.h"

namespace hvfuzz::check {
namespace {

// Rows of cells printed with columns padded to the widest cell plus two spaces; a row made
// with Line() is printed verbatim and does not widen columns. Trailing spaces are trimmed.
class Table {
 public:
  explicit Table(std::string indent = "") : indent_(std::move(indent)) {}
  void Row(std::vector<std::string> cells) { rows_.emplace_back(std::move(cells), false); }
  void Line(std::string text) {
    rows_.emplace_back(std::vector<std::string>{std::move(text)}, true);
  }

  void AppendTo(std::string& out) const {
    std::vector<size_t> width;
    for (const auto& [cells, verbatim] : rows_) {
      if (verbatim) continue;
      if (width.size() < cells.size()) width.resize(cells.size(), 0);
      for (size_t i = 0; i < cells.size(); ++i) width[i] = std::max(width[i], cells[i].size());
    }
    for (const auto& [cells, verbatim] : rows_) {
      std::string line = verbatim ? "" : indent_;
      for (size_t i = 0; i < cells.size(); ++i) {
        line += cells[i];
        if (!verbatim && i + 1 < cells.size()) line.append(width[i] + 2 - cells[i].size(), ' ');
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
  }

 private:
  std::string indent_;
  std::vector<std::pair<std::vector<std::string>, bool>> rows_;
};

std::string Tid(int id) { return "t" + std::to_string(id); }

std::string TaskLabel(int id, const std::string& name) {
  return name.empty() || name == Tid(id) ? Tid(id) : Tid(id) + " (" + name + ")";
}

std::string Frames(const std::vector<std::string>& frames) {
  std::string out;
  for (size_t i = 0; i < frames.size(); ++i) out += (i ? " <- " : "") + frames[i];
  return out;
}

// "&kvm->srcu [vm0] (read)"; class-level (no instance) for the dependency chain.
std::string LockName(const LockRef& r, bool instance = true) {
  std::string s = r.lock_class;
  if (instance && !r.instance.empty()) s += " [" + r.instance + "]";
  return s + LockModeSuffix(r);
}

std::vector<std::string> LockCells(const LockRef& r) {
  return {LockName(r), r.site, Frames(r.frames)};
}

std::vector<std::string> Cells(std::vector<std::string> head,
                               const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

const TaskSnapshot* FindTask(const Finding& f, int id) {
  for (const TaskSnapshot& t : f.tasks) {
    if (t.task == id) return &t;
  }
  return nullptr;
}

// "<first label>  <lock> <site> <frames>", then "<second label>" and one row per held lock.
void AppendHeld(Table& t, const std::string& label, const std::vector<LockRef>& held) {
  if (held.empty()) t.Row({label, "nothing"});
  for (size_t i = 0; i < held.size(); ++i) t.Row(Cells({i ? "" : label}, LockCells(held[i])));
}

void AppendLockOrderCycle(const Finding& f, std::string& out) {
  const std::string who = "task " + TaskLabel(f.task, f.task_name);
  const TaskSnapshot* self = FindTask(f, f.task);
  Table t;
  if (f.acquiring) t.Row(Cells({who + " wants"}, LockCells(*f.acquiring)));
  AppendHeld(t, "while holding", self ? self->held : std::vector<LockRef>{});
  t.AppendTo(out);
  if (f.cycle.empty()) return;
  // Recorded edges newest first; numbers follow the cycle, so #0 -> #1 -> ... -> the closing
  // edge reads as the chain.
  std::vector<size_t> order(f.cycle.size() - 1);
  for (size_t i = 0; i < order.size(); ++i) order[i] = order.size() - 1 - i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return f.cycle[a].step > f.cycle[b].step; });
  Table chain("  ");
  chain.Line("order already recorded (newest first):");
  auto edge_row = [&](size_t i) {
    const Dependency& d = f.cycle[i];
    chain.Row({"#" + std::to_string(i), LockName(d.from, false) + " -> " + LockName(d.to, false),
               Tid(d.task) + " step " + std::to_string(d.step), d.to.site, Frames(d.to.frames)});
  };
  for (size_t i : order) edge_row(i);
  chain.Line("new edge closing the cycle:");
  edge_row(f.cycle.size() - 1);
  chain.AppendTo(out);
  // One column per task of the cycle: each takes its edge's first lock, then each wants the
  // second, which the next column holds.
  const size_t n = f.cycle.size();
  Table scenario("  ");
  scenario.Line("possible unsafe locking scenario:");
  std::vector<std::string> head;
  std::vector<std::string> rule;
  for (size_t i = 0; i < n; ++i) {
    head.push_back(std::string("task ") + static_cast<char>('A' + i % 26));
    rule.emplace_back("------");
  }
  scenario.Row(head);
  scenario.Row(rule);
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < n; ++i) {
      std::vector<std::string> row(i + 1);
      row[i] = pass == 0 ? f.cycle[i].from.Action() : f.cycle[i].to.Action() + "  <- blocks";
      scenario.Row(row);
    }
  }
  scenario.Line("  *** each task waits for the next: deadlock ***");
  scenario.AppendTo(out);
}

void AppendRecursive(const Finding& f, std::string& out) {
  const TaskSnapshot* self = FindTask(f, f.task);
  Table t;
  if (f.acquiring) {
    t.Row(Cells({"task " + TaskLabel(f.task, f.task_name) + " wants"}, LockCells(*f.acquiring)));
  }
  AppendHeld(t, "while already holding", self ? self->held : std::vector<LockRef>{});
  t.AppendTo(out);
  if (!f.acquiring || self == nullptr) return;
  auto same = std::find_if(self->held.rbegin(), self->held.rend(), [&](const LockRef& h) {
    return h.lock_class == f.acquiring->lock_class;
  });
  Table scenario("  ");
  scenario.Line("possible unsafe locking scenario:");
  scenario.Row({"task A"});
  scenario.Row({"------"});
  if (same != self->held.rend()) scenario.Row({same->Action()});
  scenario.Row({f.acquiring->Action() + "  <- blocks"});
  scenario.Line(
      "  *** the task waits for itself (if nesting is intended, it needs a subclass:"
      " *_nested()) ***");
  scenario.AppendTo(out);
}

// sleep-in-atomic, lock-held-at-return, bad-unlock, lock-not-held, invariant-violation.
void AppendTaskEvent(const Finding& f, std::string& out) {
  const std::string who = "task " + TaskLabel(f.task, f.task_name);
  const TaskSnapshot* self = FindTask(f, f.task);
  const std::vector<LockRef> held = self ? self->held : std::vector<LockRef>{};
  const std::vector<std::string> where = {"", f.site, Frames(f.frames)};
  Table t;
  switch (f.kind) {
    case FindingKind::kSleepInAtomic:
      if (f.acquiring) {
        t.Row({who + " may sleep in", f.acquiring->Action(), f.acquiring->site,
               Frames(f.acquiring->frames)});
      } else {
        t.Row(Cells({who + " may sleep"}, where));
      }
      for (size_t i = 0; i < held.size(); ++i) {
        // Point at what makes the context atomic.
        std::vector<std::string> row =
            Cells({i ? "" : "in atomic context, holding"}, LockCells(held[i]));
        if (sync::IsSpinning(held[i].kind)) row.emplace_back("<- atomic");
        t.Row(row);
      }
      if (held.empty()) t.Row({"in atomic context, holding", "nothing"});
      break;
    case FindingKind::kLockHeldAtReturn:
      t.Row(Cells({who + " returns to user space"}, where));
      AppendHeld(t, "still holding", held);
      break;
    case FindingKind::kBadUnlock:
    case FindingKind::kLockNotHeld: {
      const bool unlock = f.kind == FindingKind::kBadUnlock;
      std::vector<std::string> lock =
          f.acquiring ? LockCells(*f.acquiring) : std::vector<std::string>{"?"};
      t.Row(Cells({who + (unlock ? " releases" : " asserts it holds")}, lock));
      AppendHeld(t, "but holds only", held);
      break;
    }
    default:
      t.Line("invariant " + f.invariant + " does not hold");
      t.Row(Cells({who + " at"}, where));
      AppendHeld(t, "while holding", held);
      break;
  }
  t.AppendTo(out);
}

// deadlock, watchdog-hang, step-budget: the wait-for cycle, then every task.
void AppendTasks(const Finding& f, std::string& out) {
  if (!f.cycle.empty()) {
    Table cycle("  ");
    cycle.Line("wait-for cycle:");
    for (size_t i = 0; i < f.cycle.size(); ++i) {
      const Dependency& d = f.cycle[i];
      const Dependency& next = f.cycle[(i + 1) % f.cycle.size()];
      const Dependency& prev = f.cycle[(i + f.cycle.size() - 1) % f.cycle.size()];
      cycle.Row({Tid(d.task),
                 d.from.lock_class.empty() ? "holds nothing, queued ahead of " + Tid(prev.task)
                                           : "holds " + LockName(d.from),
                 "waits in " + d.to.Action(), "on " + Tid(next.task)});
    }
    cycle.AppendTo(out);
  }
  Table t("  ");
  t.Line("tasks:");
  for (const TaskSnapshot& s : f.tasks) {
    const std::string label = TaskLabel(s.task, s.name);
    if (s.finished) {
      t.Row({label, "finished"});
    } else if (s.waiting_for) {
      const LockRef& w = *s.waiting_for;
      std::string what = s.wait_action + (w.instance.empty() ? "" : " [" + w.instance + "]");
      t.Row({label, "blocked in", what, w.site, Frames(w.frames)});
      std::string by;
      for (int id : s.blocked_by) by += (by.empty() ? "" : " ") + Tid(id);
      t.Row({"", "blocked by", by.empty() ? "no task" : by});
    } else {
      t.Row({label, "runnable in", Frames(s.frames)});
    }
    if (s.held.empty() && !s.finished) t.Row({"", "holds", "nothing"});
    for (size_t i = 0; i < s.held.size(); ++i) {
      t.Row(Cells({"", i ? "" : (s.finished ? "leaked" : "holds")}, LockCells(s.held[i])));
    }
  }
  t.AppendTo(out);
}

void AppendInterleaving(const Finding& f, std::string& out) {
  if (f.interleaving.empty()) return;
  const bool deadlock = f.kind == FindingKind::kDeadlock || f.kind == FindingKind::kWatchdogHang;
  out += deadlock ? "interleaving that deadlocks:\n" : "interleaving that led here:\n";
  // Gutter: step (left out when every step is 0, as in free-running mode) and site; then one
  // column per task, ascending ids.
  const bool steps = std::any_of(f.interleaving.begin(), f.interleaving.end(),
                                 [](const InterleavingStep& s) { return s.step != 0; });
  const size_t gutter = steps ? 2 : 1;
  std::map<int, size_t> column;  // task id -> column
  for (const InterleavingStep& s : f.interleaving) column.emplace(s.task, 0);
  size_t c = gutter;
  for (auto& [task, col] : column) col = c++;
  Table t("  ");
  std::vector<std::string> head(gutter + column.size());
  if (steps) head[0] = "step";
  head[gutter - 1] = "site";
  for (const auto& [task, col] : column) head[col] = Tid(task);
  t.Row(head);
  for (const InterleavingStep& s : f.interleaving) {
    std::vector<std::string> row(column[s.task] + 1);
    if (steps) row[0] = std::to_string(s.step);
    row[gutter - 1] = s.site.empty() ? "-" : s.site;
    row[column[s.task]] = s.action + (s.blocks ? "  <- blocks" : "");
    t.Row(row);
  }
  t.AppendTo(out);
}

void AppendHeldLine(const Finding& f, std::string& out) {
  if (f.tasks.empty()) return;
  std::string line = "held:";
  for (const TaskSnapshot& s : f.tasks) {
    line += " " + Tid(s.task) + "=[";
    for (size_t i = 0; i < s.held.size(); ++i) line += (i ? ", " : "") + LockName(s.held[i], false);
    line += "]";
  }
  out += line + "\n";
}

void AppendReplay(const Finding& f, std::string& out) {
  const ReplayInfo& r = f.replay;
  if (!r.program_text.empty()) {
    out += "program:\n";
    size_t pos = 0;
    while (pos < r.program_text.size()) {
      size_t end = r.program_text.find('\n', pos);
      if (end == std::string::npos) end = r.program_text.size();
      out += "  " + r.program_text.substr(pos, end - pos) + "\n";
      pos = end + 1;
    }
  }
  std::array<char, 24> seed{};
  std::snprintf(seed.data(), seed.size(), "0x%" PRIx64, r.seed);
  out += "replay: " + (r.crash_file.empty() ? std::string("(not saved)") : r.crash_file) +
         " seed=" + seed.data() + " strategy=" + (r.strategy.empty() ? "?" : r.strategy) + "\n";
}

}  // namespace

std::string RenderText(const Finding& f) {
  std::string out = "==== hvfuzz: " + std::string(FindingKindName(f.kind)) + " ====\n";
  if (!f.headline.empty()) out += f.headline + "\n";
  switch (f.kind) {
    case FindingKind::kLockOrderCycle:
      AppendLockOrderCycle(f, out);
      break;
    case FindingKind::kRecursiveLocking:
      AppendRecursive(f, out);
      break;
    case FindingKind::kDeadlock:
    case FindingKind::kWatchdogHang:
    case FindingKind::kStepBudget:
      AppendTasks(f, out);
      break;
    default:
      AppendTaskEvent(f, out);
      break;
  }
  AppendInterleaving(f, out);
  AppendHeldLine(f, out);
  AppendReplay(f, out);
  out += "SUMMARY: hvfuzz: " + (f.title.empty() ? std::string(FindingKindName(f.kind)) : f.title) +
         "\n";
  return out;
}

std::string LockModeSuffix(const LockRef& r) {
  const bool write = r.mode == sync::AcquireMode::kExclusive;
  switch (r.kind) {
    case sync::LockKind::kMutex:
    case sync::LockKind::kSpinLock:
      return "";
    case sync::LockKind::kSrcu:
      return write ? " (sync)" : " (read)";
    case sync::LockKind::kLockdepMap:
      return write ? "" : " (read)";
    default:
      if (write) return " (write)";
      return r.mode == sync::AcquireMode::kRead ? " (read)" : " (recursive read)";
  }
}

}  // namespace hvfuzz::check
