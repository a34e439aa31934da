// SPDX-License-Identifier: Apache-2.0
// Strong-path search over lockdep's typed dependency graph.
//
// Source: Linux lockdep's recursive-read support (Boqun Feng, "lockdep: Support deadlock
// detection for recursive read locks", v5.10: __bfs with lock_list::only_xr,
// Documentation/locking/lockdep-design.rst "Recursive read locks"). Lockdep marks *edges*
// visited and keeps the first state that reached them, which can miss a strong path whose
// N-ending approach is longer than an R-ending one; we search the product graph instead, so
// the answer is exact. Code of our own; no lockdep or abseil code is copied.
//
// Sketch:
//  1. A search state is (node, whether the edge that reached it ends in a recursive read).
//     From an R-state only edges whose holder was exclusive (E*) may follow; from an N-state
//     any edge may. So an N-state can do everything its R-twin can: it dominates it.
//  2. Crossing an edge keeps its admissible types (all, or E* only). If one of them ends in N
//     the next state is the N-state (dominant); otherwise the R-state. (node, R) is not
//     entered once (node, N) was seen.
//  3. Breadth-first from (from, context.after_recursive_read); the target is reached in any
//     state, or only in an N-state when the path must be followed by an S* edge.
//  4. InsertEdge(from, to, t) closes a strong cycle iff a path to -> from exists with context
//     {after_recursive_read: t ends in R, before_shared_holder: t starts from S}.
//  5. The path is rebuilt from the per-state parent edge. Shortest in states, hence shortest
//     among strong closed walks; a shortest strong closed walk through a new edge is a simple
//     cycle when the graph had no strong cycle before (split it at a repeated node: one half
//     is strong, and it cannot avoid the new edge).
#include "fuzz/check/lock_dependency_graph.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace hvfuzz::check {
namespace {
constexpr DependencyTypeMask kFromExclusive = MaskOf(DependencyType::kExclusiveToNonRecursive) |
                                              MaskOf(DependencyType::kExclusiveToRecursive);
constexpr DependencyTypeMask kToNonRecursive = MaskOf(DependencyType::kExclusiveToNonRecursive) |
                                               MaskOf(DependencyType::kSharedToNonRecursive);

// The type to report for crossing an edge with `admissible` types: N-ending if any (step 2),
// exclusive holder preferred.
DependencyType Pick(DependencyTypeMask admissible) {
  for (DependencyType t :
       {DependencyType::kExclusiveToNonRecursive, DependencyType::kSharedToNonRecursive,
        DependencyType::kExclusiveToRecursive, DependencyType::kSharedToRecursive}) {
    if (admissible & MaskOf(t)) return t;
  }
  return DependencyType::kExclusiveToNonRecursive;  // unreachable: admissible != 0
}
}  // namespace

const char* DependencyTypeName(DependencyType t) {
  static constexpr std::array<const char*, 4> kNames = {"EN", "SN", "ER", "SR"};
  return kNames[static_cast<size_t>(t)];
}

void LockDependencyGraph::RequireLive(LockNodeId n, const char* op) const {
  if (Live(n)) return;
  std::fprintf(stderr, "hvfuzz: internal error: LockDependencyGraph::%s on dead node %d\n", op, n);
  std::abort();
}

LockNodeId LockDependencyGraph::NodeFor(uint64_t key) {
  if (const LockNodeId* id = node_index_.Find(key)) return *id;
  auto id = static_cast<LockNodeId>(nodes_.size());
  Node& n = nodes_.emplace_back();
  n.key = key;
  n.alive = true;
  node_index_.Insert(key, id);
  return id;
}

const LockDependencyGraph::Edge* LockDependencyGraph::FindEdge(LockNodeId from,
                                                               LockNodeId to) const {
  const int32_t* slot = edge_index_.Find(PairKey(from, to));
  return slot ? &edges_[*slot] : nullptr;
}

bool LockDependencyGraph::HasEdge(LockNodeId from, LockNodeId to, DependencyTypeMask types) const {
  if (!Live(from) || !Live(to)) return false;
  const Edge* e = FindEdge(from, to);
  return e != nullptr && (e->types & types) != 0;
}

LockDependencyGraph::InsertResult LockDependencyGraph::InsertEdge(
    LockNodeId from, LockNodeId to, DependencyType type, int32_t payload,
    std::vector<DependencyEdge>* cycle) {
  RequireLive(from, "InsertEdge");
  RequireLive(to, "InsertEdge");
  InsertResult result;
  const int32_t* found = edge_index_.Find(PairKey(from, to));
  // The common case: this typed dependency is known and was checked when first inserted.
  if (found && (edges_[*found].types & MaskOf(type))) return result;
  // Search before linking, so that the new edge cannot be part of its own closing path.
  PathContext context{ToRecursive(type), FromShared(type)};
  result.closes_cycle = FindPath(to, from, cycle, context);
  result.new_dependency = true;

  int32_t slot;
  if (found) {
    slot = *found;
  } else if (!free_edges_.empty()) {
    slot = free_edges_.back();
    free_edges_.pop_back();
  } else {
    slot = static_cast<int32_t>(edges_.size());
    edges_.emplace_back();
  }
  Edge& e = edges_[slot];
  if (!found) {
    e = Edge{from, to, 0, {-1, -1, -1, -1}};
    nodes_[from].out.push_back(slot);
    nodes_[to].in.push_back(slot);
    edge_index_.Insert(PairKey(from, to), slot);
  }
  e.types |= MaskOf(type);
  e.payload[static_cast<int>(type)] = payload;
  return result;
}

bool LockDependencyGraph::FindPath(LockNodeId from, LockNodeId to,
                                   std::vector<DependencyEdge>* path, PathContext context) const {
  if (path) path->clear();
  if (!Live(from) || !Live(to)) return false;
  if (from == to && !(context.after_recursive_read && context.before_shared_holder)) return true;

  visits_.resize(nodes_.size() * 2);
  if (++stamp_ == 0) {  // wrapped: forget every old mark
    for (Visit& v : visits_) v.stamp = 0;
    stamp_ = 1;
  }
  auto seen = [&](int32_t state) { return visits_[state].stamp == stamp_; };
  queue_.clear();
  int32_t start = from * 2 + (context.after_recursive_read ? 1 : 0);
  visits_[start] = Visit{stamp_, -1, -1, DependencyType::kExclusiveToNonRecursive};
  queue_.push_back(start);
  int32_t reached = -1;
  for (size_t head = 0; head < queue_.size() && reached < 0; ++head) {
    const int32_t state = queue_[head];
    const bool after_recursive = (state & 1) != 0;
    for (int32_t slot : nodes_[state >> 1].out) {
      const Edge& e = edges_[slot];
      DependencyTypeMask admissible = after_recursive ? (e.types & kFromExclusive) : e.types;
      if (admissible == 0) continue;
      const bool ends_non_recursive = (admissible & kToNonRecursive) != 0;
      const int32_t next = e.to * 2 + (ends_non_recursive ? 0 : 1);
      if (seen(next) || (!ends_non_recursive && seen(e.to * 2))) continue;
      visits_[next] = Visit{stamp_, state, slot,
                            Pick(ends_non_recursive ? (admissible & kToNonRecursive) : admissible)};
      if (e.to == to && (ends_non_recursive || !context.before_shared_holder)) {
        reached = next;
        break;
      }
      queue_.push_back(next);
    }
  }
  if (reached < 0) return false;
  if (path) {
    for (int32_t s = reached; s != start;) {
      const Visit& v = visits_[s];
      const Edge& e = edges_[v.via_edge];
      path->push_back(DependencyEdge{e.from, e.to, v.type, e.payload[static_cast<int>(v.type)]});
      s = v.parent;
    }
    std::reverse(path->begin(), path->end());
  }
  return true;
}

void LockDependencyGraph::UnlinkEdge(int32_t slot) {
  Edge& e = edges_[slot];
  auto drop = [slot](std::vector<int32_t>& list) {
    list.erase(std::find(list.begin(), list.end(), slot));
  };
  drop(nodes_[e.from].out);
  drop(nodes_[e.to].in);
  edge_index_.Erase(PairKey(e.from, e.to));
  e = Edge{};
  free_edges_.push_back(slot);
}

void LockDependencyGraph::RemoveNode(LockNodeId node) {
  if (!Live(node)) return;
  Node& n = nodes_[node];
  // Copies: UnlinkEdge edits the lists being walked (a self-edge sits in both).
  for (int32_t slot : std::vector<int32_t>(n.out)) UnlinkEdge(slot);
  for (int32_t slot : std::vector<int32_t>(n.in)) UnlinkEdge(slot);
  node_index_.Erase(n.key);
  n.alive = false;
}

int LockDependencyGraph::TestOnlyLiveNodeCount() const {
  return static_cast<int>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.alive; }));
}

int32_t LockDependencyGraph::TestOnlyPayload(LockNodeId from, LockNodeId to,
                                             DependencyType type) const {
  if (!HasEdge(from, to, MaskOf(type))) return -1;
  return FindEdge(from, to)->payload[static_cast<int>(type)];
}

bool LockDependencyGraph::CheckInvariants(std::string* why) const {
  auto fail = [why](std::string msg) {
    if (why) *why = std::move(msg);
    return false;
  };
  size_t live_edges = 0;
  for (size_t slot = 0; slot < edges_.size(); ++slot) {
    const Edge& e = edges_[slot];
    if (e.types == 0) continue;
    ++live_edges;
    std::string name = "edge " + std::to_string(e.from) + "->" + std::to_string(e.to);
    if ((e.types & ~kAnyDependencyType) != 0) return fail(name + " has unknown type bits");
    if (!Live(e.from) || !Live(e.to)) return fail(name + " touches a dead node");
    const int32_t* indexed = edge_index_.Find(PairKey(e.from, e.to));
    if (indexed == nullptr || *indexed != static_cast<int32_t>(slot)) {
      return fail(name + " is not in the edge index");
    }
    const auto& out = nodes_[e.from].out;
    const auto& in = nodes_[e.to].in;
    if (std::count(out.begin(), out.end(), slot) != 1) return fail(name + " not once in out");
    if (std::count(in.begin(), in.end(), slot) != 1) return fail(name + " not once in in");
    for (int t = 0; t < 4; ++t) {
      bool has = (e.types & (1u << t)) != 0;
      if (!has && e.payload[t] != -1) return fail(name + " keeps a payload for an absent type");
    }
  }
  if (live_edges != edge_index_.size()) return fail("edge index size differs from live edges");
  if (live_edges + free_edges_.size() != edges_.size()) return fail("edge slots leak");
  for (int32_t slot : free_edges_) {
    if (edges_[slot].types != 0) return fail("a free edge slot is in use");
  }
  size_t live_nodes = 0, adjacency = 0;
  for (size_t id = 0; id < nodes_.size(); ++id) {
    const Node& n = nodes_[id];
    adjacency += n.out.size();
    if (!n.alive) {
      if (!n.out.empty() || !n.in.empty())
        return fail("dead node " + std::to_string(id) + " has edges");
      continue;
    }
    ++live_nodes;
    const LockNodeId* indexed = node_index_.Find(n.key);
    if (indexed == nullptr || *indexed != static_cast<LockNodeId>(id)) {
      return fail("node " + std::to_string(id) + " is not in the key index");
    }
    for (int32_t slot : n.out) {
      if (edges_[slot].from != static_cast<LockNodeId>(id)) return fail("out list is wrong");
    }
    for (int32_t slot : n.in) {
      if (edges_[slot].to != static_cast<LockNodeId>(id)) return fail("in list is wrong");
    }
  }
  if (live_nodes != node_index_.size()) return fail("key index size differs from live nodes");
  if (adjacency != live_edges) return fail("out lists do not add up to the live edges");
  return true;
}

}  // namespace hvfuzz::check
