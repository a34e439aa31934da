// SPDX-License-Identifier: Apache-2.0
// The clean model's lock order against model/lock_classes.def (STYLE.md G6). Every operation
// runs on one task (all ops in sequence, over argument grids and shapes, under fault
// injection) and in random multi-task programs on the controlled scheduler (random and PCT
// strategies). A ModelObserver records every lock-order edge (nearest held class -> acquired
// class, lockdep's rule) and every problem; a LockOrderValidator kept across all runs checks
// the union of the orders for cycles. The test fails when
//   - an observed edge is not in the table (a class's "may be taken inside" list),
//   - a documented edge is never exercised,
//   - anything is reported: a problem, a validator finding, a deadlock or the step budget.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/check/lock_order_validator.h"
#include "fuzz/sched/controlled_scheduler.h"
#include "gtest/gtest.h"
#include "model/lock_classes.h"
#include "model/operations.h"
#include "model/sync/single_task_runtime.h"
#include "model/testing/model_observer.h"
#include "model/world.h"

namespace hvfuzz::model {
namespace {

using testing::Edge;
using testing::ModelObserver;

// The table's edges: for every row, every token of "may be taken inside".
std::set<Edge> DocumentedEdges(std::vector<std::string>* errors) {
  std::set<Edge> edges;
  for (const LockClassInfo& row : LockClassTable()) {
    for (const ClassListEntry& e : ParseClassList(row.may_be_inside)) {
      const LockClassInfo* outer = FindLockClassInfo(e.id);
      if (outer == nullptr) {
        errors->push_back(std::string(row.id) + ": unknown id '" + std::string(e.id) + "'");
        continue;
      }
      edges.insert(Edge{outer->lock_class, row.lock_class, e.sync});
    }
  }
  return edges;
}

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

OpCall RandomCall(uint64_t& s) {
  auto ops = Operations();
  OpCall call{static_cast<uint16_t>(SplitMix(s) % ops.size()), {}};
  const OpSpec& spec = ops[call.op];
  for (int i = 0; i < spec.nargs; ++i) {
    // Small values more often: they name existing VMs, vCPUs and slots.
    uint32_t max = spec.args[i].max;
    uint64_t r = SplitMix(s);
    call.args[i] = static_cast<uint32_t>((r & 3) ? (r >> 8) % (max < 2 ? max + 1 : 2)
                                                 : (r >> 8) % (max + 1));
  }
  return call;
}

class ModelLockOrderTest : public ::testing::Test {
 protected:
  void RunOnOneTask(const WorldConfig& config, const FaultInjection& fault,
                    const std::vector<OpCall>& calls) {
    ModelObserver obs;
    sync::ObserverList list;
    list.Add(&obs);
    list.Add(&validator_);
    sync::SingleTaskRuntime rt(list);
    World world(config, BugSwitches{}, fault);
    for (const OpCall& c : calls) Execute(world, c);
    Absorb(obs, "one task");
  }

  void RunScheduled(const WorldConfig& config, const FaultInjection& fault,
                    const std::vector<std::vector<OpCall>>& threads, uint64_t seed,
                    const char* strategy) {
    ModelObserver obs;
    sync::ObserverList list;
    list.Add(&obs);
    list.Add(&validator_);
    World world(config, BugSwitches{}, fault);
    sched::ScheduleOptions opts;
    opts.strategy = strategy;
    opts.seed = seed;
    opts.max_steps = 200000;
    sched::ControlledScheduler scheduler(opts);
    for (size_t i = 0; i < threads.size(); ++i) {
      const std::vector<OpCall>* ops = &threads[i];
      scheduler.Spawn("t" + std::to_string(i), [&world, ops] {
        for (const OpCall& c : *ops) Execute(world, c);
      });
    }
    sched::RunOutcome outcome = scheduler.Run(list);
    if (outcome.status != sched::RunStatus::kCompleted) {
      failures_.push_back(std::string("scheduled run ") + strategy + " seed " +
                          std::to_string(seed) + ": " +
                          (outcome.finding ? outcome.finding->title : "stopped"));
    }
    Absorb(obs, "scheduled");
  }

  void Absorb(ModelObserver& obs, const char* where) {
    for (const std::string& p : obs.problems) failures_.push_back(std::string(where) + ": " + p);
    if (validator_.has_finding()) {
      failures_.push_back(std::string(where) + ": validator: " + validator_.finding()->title);
    }
    validator_.ResetRun();
    observed_.insert(obs.edges.begin(), obs.edges.end());
  }

  std::set<Edge> observed_;
  std::vector<std::string> failures_;
  check::LockOrderValidator validator_;
};

TEST_F(ModelLockOrderTest, CleanModelTakesExactlyTheDocumentedOrder) {
  const WorldConfig shapes[] = {
      {.vms = 1, .vcpus = 1, .memslots = 1, .gpcs = 1, .xen = false},
      {.vms = 2, .vcpus = 2, .memslots = 3, .gpcs = 2, .xen = true},
      {.vms = 3, .vcpus = 4, .memslots = 8, .gpcs = 4, .xen = true},
  };
  // One task: every op over an argument grid, then every op after every op.
  auto ops = Operations();
  for (const WorldConfig& shape : shapes) {
    std::vector<OpCall> all;
    for (uint32_t pick = 0; pick < 4; ++pick) {
      for (size_t i = 0; i < ops.size(); ++i) {
        OpCall c{static_cast<uint16_t>(i), {}};
        for (int a = 0; a < ops[i].nargs; ++a) {
          c.args[a] = pick == 3 ? ops[i].args[a].max : (pick + a) % (ops[i].args[a].max + 1);
        }
        all.push_back(c);
      }
    }
    RunOnOneTask(shape, {}, all);
    for (uint32_t nth = 1; nth < 40; nth += 3) RunOnOneTask(shape, FaultInjection{nth}, all);
  }
  // Paths random programs reach rarely: Xen delivery through an irqfd, EVTCHNOP_send with an
  // invalid shared_info cache, a nested fault, a vCPU reset after PSCI CPU_ON.
  auto op = [](std::string_view name, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0,
               uint32_t a3 = 0) { return OpCall{*FindOperation(name), {a0, a1, a2, a3}}; };
  RunOnOneTask(shapes[1], {},
               {op("xen.set_shinfo", 0, 5), op("xen.set_vcpu_attr", 0, 0, 0, 6),
                op("xen.set_vcpu_attr", 0, 0, 2, 7), op("irq.set_routing", 0, 1, 2, 1),
                op("irqfd.assign", 0, 0, 1, 1), op("irqfd.signal", 0, 0),
                op("mmu.invalidate", 0, 5, 1, 1), op("irqfd.signal", 0, 0),
                op("xen.set_evtchn", 0, 2, 1, 1), op("mmu.invalidate", 0, 0, 8, 0),
                op("xen.evtchn_send", 0, 1, 2), op("vcpu.run", 0, 1, 7, 0),
                op("xen.set_vcpu_attr", 0, 1, 3, 0), op("xen.set_vcpu_attr", 0, 1, 4, 1),
                op("xen.write_hypercall_page", 0, 0, 1), op("vcpu.run", 0, 0, 0, 3),
                op("vcpu.run", 0, 0, 1, 17), op("vcpu.psci_cpu_on", 0, 1, 1),
                op("vcpu.psci_cpu_on", 0, 0, 1), op("vcpu.run", 0, 1, 0, 2),
                op("irqfd.assign", 0, 0, 1, 0), op("vm.destroy", 1), op("vm.create", 1),
                op("irqchip.create", 1), op("vcpu.create", 1, 0), op("sev.migrate", 0, 1)});
  // Random programs on the controlled scheduler.
  uint64_t s = 0x5eed;
  for (int program = 0; program < 400; ++program) {
    const WorldConfig& shape = shapes[program % 3];
    int nthreads = 2 + program % 3;
    std::vector<std::vector<OpCall>> threads(nthreads);
    for (auto& t : threads) {
      for (int k = 0; k < 12; ++k) t.push_back(RandomCall(s));
    }
    FaultInjection fault{program % 4 == 0 ? static_cast<uint32_t>(SplitMix(s) % 30) : 0};
    RunScheduled(shape, fault, threads, SplitMix(s), program % 2 ? "pct" : "random");
  }

  std::vector<std::string> errors;
  std::set<Edge> documented = DocumentedEdges(&errors);
  for (const std::string& e : errors) ADD_FAILURE() << "lock_classes.def: " << e;
  std::ostringstream unexpected, unexercised;
  for (const Edge& e : observed_) {
    if (!documented.count(e)) unexpected << "  " << e.ToString() << "\n";
  }
  for (const Edge& e : documented) {
    if (!observed_.count(e)) unexercised << "  " << e.ToString() << "\n";
  }
  EXPECT_TRUE(unexpected.str().empty())
      << "edges the clean model takes that lock_classes.def does not allow:\n"
      << unexpected.str();
  EXPECT_TRUE(unexercised.str().empty())
      << "edges lock_classes.def documents that no run exercised:\n"
      << unexercised.str();
  std::ostringstream all_failures;
  for (size_t i = 0; i < failures_.size() && i < 30; ++i) all_failures << failures_[i] << "\n";
  EXPECT_TRUE(failures_.empty()) << failures_.size() << " problems, first:\n"
                                 << all_failures.str();
}

}  // namespace
}  // namespace hvfuzz::model
