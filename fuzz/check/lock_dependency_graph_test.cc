// SPDX-License-Identifier: Apache-2.0
// LockDependencyGraph: table tests of lockdep's strong-cycle rule, then thousands of random
// typed graphs checked against two naive oracles (STYLE.md G15):
//  - SimpleCycles: enumerates every simple cycle and every type assignment (what a person
//    means by "a strong cycle through the new edge");
//  - StateOracle: breadth-first search over (node, type of the edge that reached it), i.e.
//    all four types kept apart, no dominance shortcut (the graph keeps two states per node).
// CheckInvariants runs after every operation.
#include "fuzz/check/lock_dependency_graph.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

#include "fuzz/check/internal/flat_u64_map.h"
#include "gtest/gtest.h"

namespace hvfuzz::check {
namespace {

constexpr DependencyType kEN = DependencyType::kExclusiveToNonRecursive;
constexpr DependencyType kSN = DependencyType::kSharedToNonRecursive;
constexpr DependencyType kER = DependencyType::kExclusiveToRecursive;
constexpr DependencyType kSR = DependencyType::kSharedToRecursive;
constexpr std::array<DependencyType, 4> kAllTypes = {kEN, kSN, kER, kSR};

// The junction rule: -(*R)-> followed by -(S*)-> breaks a strong path.
bool Joins(DependencyType before, DependencyType after) {
  return !(ToRecursive(before) && FromShared(after));
}

void ExpectInvariants(const LockDependencyGraph& g) {
  std::string why;
  ASSERT_TRUE(g.CheckInvariants(&why)) << why;
}

TEST(LockDependencyGraphTest, AbbaOfWritersClosesACycleThatNamesTheFirstEdge) {
  LockDependencyGraph g;
  LockNodeId a = g.NodeFor(10), b = g.NodeFor(20);
  EXPECT_EQ(g.NodeFor(10), a);
  std::vector<DependencyEdge> cycle;
  auto first = g.InsertEdge(a, b, kEN, 7, &cycle);
  EXPECT_TRUE(first.new_dependency);
  EXPECT_FALSE(first.closes_cycle);
  auto second = g.InsertEdge(b, a, kEN, 8, &cycle);
  EXPECT_TRUE(second.new_dependency);
  ASSERT_TRUE(second.closes_cycle);
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_EQ(cycle[0].from, a);
  EXPECT_EQ(cycle[0].to, b);
  EXPECT_EQ(cycle[0].type, kEN);
  EXPECT_EQ(cycle[0].payload, 7);
  // Recorded regardless of the cycle.
  EXPECT_TRUE(g.HasEdge(b, a, MaskOf(kEN)));
  ExpectInvariants(g);
}

// Two-edge cycles A -(t1)-> B -(t2)-> A for all sixteen type pairs, written out by hand.
TEST(LockDependencyGraphTest, TwoEdgeCyclesFollowLockdepTable) {
  // Rows t1, columns t2, in the order EN SN ER SR.
  constexpr std::array<std::array<bool, 4>, 4> kStrong = {{
      {true, true, true, true},     // EN: a writer at A breaks every reader-reader excuse
      {true, true, false, false},   // SN
      {true, false, true, false},   // ER
      {true, false, false, false},  // SR: two recursive readers never deadlock
  }};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      LockDependencyGraph g;
      LockNodeId a = g.NodeFor(1), b = g.NodeFor(2);
      g.InsertEdge(a, b, kAllTypes[i], 0);
      auto r = g.InsertEdge(b, a, kAllTypes[j], 1);
      EXPECT_EQ(r.closes_cycle, kStrong[i][j])
          << DependencyTypeName(kAllTypes[i]) << " then " << DependencyTypeName(kAllTypes[j]);
    }
  }
}

TEST(LockDependencyGraphTest, SelfEdgeIsACycleOfOneUnlessBothEndsAreReaders) {
  for (DependencyType t : kAllTypes) {
    LockDependencyGraph g;
    LockNodeId a = g.NodeFor(1);
    std::vector<DependencyEdge> cycle{DependencyEdge{}};
    auto r = g.InsertEdge(a, a, t, 0, &cycle);
    EXPECT_EQ(r.closes_cycle, t != kSR) << DependencyTypeName(t);
    EXPECT_TRUE(cycle.empty());  // the closing edge alone
    ExpectInvariants(g);
  }
}

TEST(LockDependencyGraphTest, KnownTypedEdgeKeepsItsFirstPayloadAndIsNotRechecked) {
  LockDependencyGraph g;
  LockNodeId a = g.NodeFor(1), b = g.NodeFor(2);
  g.InsertEdge(a, b, kEN, 3);
  ASSERT_TRUE(g.InsertEdge(b, a, kEN, 4).closes_cycle);
  auto again = g.InsertEdge(b, a, kEN, 5);
  EXPECT_FALSE(again.new_dependency);
  EXPECT_FALSE(again.closes_cycle);  // checked (and reported) when first inserted
  EXPECT_EQ(g.TestOnlyPayload(b, a, kEN), 4);
  EXPECT_EQ(g.TestOnlyPayload(b, a, kSN), -1);
  EXPECT_EQ(g.TestOnlyEdgeCount(), 2);
}

TEST(LockDependencyGraphTest, NewTypeOnKnownEdgeIsChecked) {
  LockDependencyGraph g;
  LockNodeId a = g.NodeFor(1), b = g.NodeFor(2);
  EXPECT_FALSE(g.InsertEdge(a, b, kSR, 0).closes_cycle);
  EXPECT_FALSE(g.InsertEdge(b, a, kSN, 1).closes_cycle);  // SR then SN: weak at B
  std::vector<DependencyEdge> cycle;
  auto r = g.InsertEdge(a, b, kEN, 2, &cycle);  // a writer at A: strong
  EXPECT_TRUE(r.new_dependency);
  ASSERT_TRUE(r.closes_cycle);
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_EQ(cycle[0].type, kSN);
  EXPECT_EQ(cycle[0].payload, 1);
  EXPECT_TRUE(g.HasEdge(a, b, MaskOf(kEN) | MaskOf(kSR)));
  EXPECT_FALSE(g.HasEdge(a, b, MaskOf(kER)));
  ExpectInvariants(g);
}

// The N-ending approach to Y is longer than the R-ending one, and only it may continue with
// an S* edge. Lockdep's edge-marking BFS can lose it; the (node, state) search must not.
TEST(LockDependencyGraphTest, LongerNonRecursiveApproachIsFound) {
  LockDependencyGraph g;
  LockNodeId f = g.NodeFor(0), x = g.NodeFor(1), y = g.NodeFor(2), z = g.NodeFor(3);
  g.InsertEdge(x, y, kER, 0);
  g.InsertEdge(x, z, kEN, 1);
  g.InsertEdge(z, y, kEN, 2);
  g.InsertEdge(y, f, kSN, 3);
  std::vector<DependencyEdge> cycle;
  ASSERT_TRUE(g.InsertEdge(f, x, kEN, 4, &cycle).closes_cycle);
  ASSERT_EQ(cycle.size(), 3u);
  EXPECT_EQ(cycle[0].to, z);
  EXPECT_EQ(cycle[1].to, y);
  EXPECT_EQ(cycle[2].type, kSN);
  EXPECT_EQ(cycle[2].payload, 3);
}

TEST(LockDependencyGraphTest, FindPathHonoursContextAndReachability) {
  LockDependencyGraph g;
  LockNodeId a = g.NodeFor(1), b = g.NodeFor(2), c = g.NodeFor(3);
  g.InsertEdge(a, b, kSR, 0);
  g.InsertEdge(b, c, kSN, 1);  // a -(SR)-> b -(SN)-> c is not strong
  EXPECT_TRUE(g.IsReachable(a, b));
  EXPECT_FALSE(g.IsReachable(a, c));
  EXPECT_FALSE(g.IsReachable(c, a));
  EXPECT_TRUE(g.IsReachable(c, c));
  std::vector<DependencyEdge> path;
  EXPECT_TRUE(g.FindPath(b, c, &path));
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(path[0].payload, 1);
  EXPECT_FALSE(g.FindPath(b, c, &path, PathContext{.after_recursive_read = true}));
  EXPECT_FALSE(g.FindPath(a, b, &path, PathContext{.after_recursive_read = true}));
  EXPECT_TRUE(g.FindPath(a, b, &path, PathContext{.before_shared_holder = false}));
  EXPECT_FALSE(g.FindPath(a, b, &path, PathContext{.before_shared_holder = true}));
  // A zero-length path joins its two context edges directly.
  EXPECT_FALSE(g.FindPath(a, a, &path, PathContext{true, true}));
  EXPECT_TRUE(g.FindPath(a, a, &path, PathContext{true, false}));
  EXPECT_TRUE(path.empty());
}

TEST(LockDependencyGraphTest, RemoveNodeDropsItsEdgesAndItsId) {
  LockDependencyGraph g;
  LockNodeId a = g.NodeFor(1), b = g.NodeFor(2), c = g.NodeFor(3);
  g.InsertEdge(a, b, kEN, 0);
  g.InsertEdge(b, c, kEN, 1);
  g.InsertEdge(b, b, kSR, 2);
  g.InsertEdge(c, a, kSN, 3);
  g.RemoveNode(b);
  ExpectInvariants(g);
  EXPECT_EQ(g.TestOnlyLiveNodeCount(), 2);
  EXPECT_EQ(g.TestOnlyEdgeCount(), 1);
  EXPECT_FALSE(g.HasEdge(a, b));
  EXPECT_FALSE(g.IsReachable(a, c));
  LockNodeId b2 = g.NodeFor(2);
  EXPECT_NE(b2, b);
  EXPECT_FALSE(g.InsertEdge(a, b2, kEN, 4).closes_cycle);  // the old b -> c is gone
  std::vector<DependencyEdge> cycle;
  ASSERT_TRUE(g.InsertEdge(b2, c, kEN, 5, &cycle).closes_cycle);  // b2 -> c -> a -> b2
  ASSERT_EQ(cycle.size(), 2u);
  EXPECT_EQ(cycle[0].payload, 3);
  EXPECT_EQ(cycle[1].payload, 4);
  g.RemoveNode(b);  // removing a dead id is a no-op
  ExpectInvariants(g);
}

TEST(LockDependencyGraphDeathTest, InsertEdgeOnRemovedNodeIsAnInternalError) {
  LockDependencyGraph g;
  LockNodeId a = g.NodeFor(1), b = g.NodeFor(2);
  g.RemoveNode(b);
  EXPECT_DEATH(g.InsertEdge(a, b, kEN, 0), "hvfuzz: internal error");
}

TEST(LockDependencyGraphIndexTest, FlatMapMatchesStdMapUnderInsertAndErase) {
  std::mt19937_64 rng(42);
  internal::FlatU64Map<int32_t> map;
  std::unordered_map<uint64_t, int32_t> want;
  for (int i = 0; i < 20000; ++i) {
    uint64_t key = rng() % 300;  // small key space: many collisions, hits and erasures
    if (rng() % 3 == 0) {
      EXPECT_EQ(map.Erase(key), want.erase(key) == 1);
    } else {
      auto [value, inserted] = map.Insert(key, i);
      EXPECT_EQ(inserted, want.emplace(key, i).second);
      EXPECT_EQ(*value, want[key]);
    }
    ASSERT_EQ(map.size(), want.size());
    uint64_t probe = rng() % 300;
    const int32_t* found = map.Find(probe);
    ASSERT_EQ(found != nullptr, want.count(probe) == 1) << probe;
    if (found) EXPECT_EQ(*found, want[probe]);
  }
  size_t visited = 0;
  map.ForEach([&](uint64_t k, int32_t v) {
    ++visited;
    EXPECT_EQ(want.at(k), v);
  });
  EXPECT_EQ(visited, want.size());
}

// ---- Naive oracles over a dense typed adjacency matrix ----------------------------------------

struct TypedGraph {
  explicit TypedGraph(int nodes)
      : n(nodes),
        mask(nodes, std::vector<DependencyTypeMask>(nodes, 0)),
        payload(nodes, std::vector<std::array<int32_t, 4>>(nodes, {-1, -1, -1, -1})) {}
  bool Has(int a, int b, DependencyType t) const { return (mask[a][b] & MaskOf(t)) != 0; }
  void Clear(int x) {
    for (int i = 0; i < n; ++i) {
      mask[x][i] = mask[i][x] = 0;
      payload[x][i] = payload[i][x] = {-1, -1, -1, -1};
    }
  }
  int n;
  std::vector<std::vector<DependencyTypeMask>> mask;
  std::vector<std::vector<std::array<int32_t, 4>>> payload;
};

// Tries every type assignment of the simple path `nodes` between the edges `before` and `after`.
bool SomeAssignmentIsStrong(const TypedGraph& g, const std::vector<int>& nodes, size_t i,
                            DependencyType before, DependencyType after) {
  if (i + 1 >= nodes.size()) return Joins(before, after);
  for (DependencyType t : kAllTypes) {
    if (g.Has(nodes[i], nodes[i + 1], t) && Joins(before, t) &&
        SomeAssignmentIsStrong(g, nodes, i + 1, t, after)) {
      return true;
    }
  }
  return false;
}

// SimpleCycles: length of the shortest strong simple cycle that closes with from -(t)-> to,
// or -1. Enumerates every simple path to -> ... -> from.
int ShortestStrongSimpleCycle(const TypedGraph& g, int from, int to, DependencyType t) {
  int best = -1;
  std::vector<int> nodes{to};
  std::vector<bool> on_path(g.n, false);
  on_path[to] = true;
  auto extend = [&](auto& self) -> void {
    int last = nodes.back();
    if (last == from) {
      int length = static_cast<int>(nodes.size());  // path edges + the closing edge
      if ((best < 0 || length < best) && SomeAssignmentIsStrong(g, nodes, 0, t, t)) best = length;
      return;
    }
    for (int next = 0; next < g.n; ++next) {
      if (g.mask[last][next] == 0 || on_path[next]) continue;
      on_path[next] = true;
      nodes.push_back(next);
      self(self);
      nodes.pop_back();
      on_path[next] = false;
    }
  };
  extend(extend);
  return best;
}

bool HasStrongSimpleCycle(const TypedGraph& g) {
  for (int a = 0; a < g.n; ++a) {
    for (int b = 0; b < g.n; ++b) {
      for (DependencyType t : kAllTypes) {
        if (g.Has(a, b, t) && ShortestStrongSimpleCycle(g, a, b, t) >= 0) return true;
      }
    }
  }
  return false;
}

// StateOracle: shortest strong walk u -> v in the context, over (node, type of the edge that
// reached it) with all four types kept apart; -1 when there is none.
int ShortestStrongWalk(const TypedGraph& g, int u, int v, PathContext ctx) {
  const DependencyType after = ctx.before_shared_holder ? kSN : kEN;
  std::vector<int> dist(static_cast<size_t>(g.n) * 4, -1);
  std::vector<int> queue{u * 4 + static_cast<int>(ctx.after_recursive_read ? kER : kEN)};
  dist[queue[0]] = 0;
  for (size_t head = 0; head < queue.size(); ++head) {
    int state = queue[head];
    int x = state / 4;
    auto in = static_cast<DependencyType>(state % 4);
    if (x == v && Joins(in, after)) return dist[state];
    for (int y = 0; y < g.n; ++y) {
      for (DependencyType t : kAllTypes) {
        int next = y * 4 + static_cast<int>(t);
        if (!g.Has(x, y, t) || !Joins(in, t) || dist[next] >= 0) continue;
        dist[next] = dist[state] + 1;
        queue.push_back(next);
      }
    }
  }
  return -1;
}

bool PlainReachable(const TypedGraph& g, int u, int v) {
  std::vector<bool> seen(g.n, false);
  std::vector<int> stack{u};
  seen[u] = true;
  while (!stack.empty()) {
    int x = stack.back();
    stack.pop_back();
    if (x == v) return true;
    for (int y = 0; y < g.n; ++y) {
      if (g.mask[x][y] != 0 && !seen[y]) stack.push_back(y), seen[y] = true;
    }
  }
  return false;
}

// Checks a path the graph returned: continuous, made of recorded typed edges with their first
// payloads, strong within `ctx`, and (when asked) through distinct nodes.
void ExpectValidPath(const TypedGraph& model, const std::vector<LockNodeId>& ids,
                     const std::vector<DependencyEdge>& path, int u, int v, PathContext ctx,
                     bool simple) {
  auto index = [&](LockNodeId id) {
    return static_cast<int>(std::find(ids.begin(), ids.end(), id) - ids.begin());
  };
  if (path.empty()) {
    EXPECT_EQ(u, v);
    return;
  }
  EXPECT_EQ(index(path.front().from), u);
  EXPECT_EQ(index(path.back().to), v);
  DependencyType before = ctx.after_recursive_read ? kER : kEN;
  std::vector<int> visited{u};
  for (size_t i = 0; i < path.size(); ++i) {
    const DependencyEdge& e = path[i];
    int a = index(e.from), b = index(e.to);
    ASSERT_LT(a, model.n);
    ASSERT_LT(b, model.n);
    if (i > 0) EXPECT_EQ(path[i - 1].to, e.from);
    EXPECT_TRUE(model.Has(a, b, e.type)) << a << "->" << b << " " << DependencyTypeName(e.type);
    EXPECT_EQ(e.payload, model.payload[a][b][static_cast<int>(e.type)]);
    EXPECT_TRUE(Joins(before, e.type)) << "weak junction before edge " << i;
    before = e.type;
    if (simple && !(i + 1 == path.size() && b == u)) {
      EXPECT_EQ(std::count(visited.begin(), visited.end(), b), 0) << "node repeated";
    }
    visited.push_back(b);
  }
  EXPECT_TRUE(Joins(before, ctx.before_shared_holder ? kSN : kEN)) << "weak junction at the end";
}

TEST(LockDependencyGraphOracleTest, RandomTypedGraphsAgreeWithBothOracles) {
  int cycles = 0, weak_only = 0, with_prior_cycle = 0, paths = 0;
  for (uint64_t seed = 0; seed < 3000; ++seed) {
    std::mt19937_64 rng(seed);
    const int n = 2 + static_cast<int>(rng() % 5);
    const int inserts = 1 + static_cast<int>(rng() % (3 * static_cast<uint64_t>(n)));
    const bool readers_heavy = seed % 2 == 1;
    auto random_type = [&] {
      if (!readers_heavy) return kAllTypes[rng() % 4];
      int r = static_cast<int>(rng() % 10);
      return r < 6 ? kSR : r < 8 ? kSN : r < 9 ? kER : kEN;
    };
    LockDependencyGraph g;
    std::vector<LockNodeId> ids(n);
    for (int i = 0; i < n; ++i) ids[i] = g.NodeFor(1000 + i);
    TypedGraph model(n);
    uint64_t next_key = 2000;
    for (int k = 0; k < inserts; ++k) {
      int a = static_cast<int>(rng() % n), b = static_cast<int>(rng() % n);
      if (a == b && rng() % 4 != 0) b = (b + 1) % n;  // a few self-edges
      DependencyType t = random_type();
      const PathContext closing{ToRecursive(t), FromShared(t)};
      const bool known = model.Has(a, b, t);
      const bool prior = HasStrongSimpleCycle(model);
      const int walk = ShortestStrongWalk(model, b, a, closing);
      const int simple = ShortestStrongSimpleCycle(model, a, b, t);
      std::vector<DependencyEdge> cycle;
      auto r = g.InsertEdge(ids[a], ids[b], t, k, &cycle);
      SCOPED_TRACE(testing::Message() << "seed " << seed << " insert " << k << ": " << a << "-("
                                      << DependencyTypeName(t) << ")->" << b);
      ASSERT_EQ(r.new_dependency, !known);
      if (known) {
        EXPECT_FALSE(r.closes_cycle);
      } else {
        ASSERT_EQ(r.closes_cycle, walk >= 0);
        if (simple >= 0) EXPECT_TRUE(r.closes_cycle);
        if (!prior) EXPECT_EQ(walk >= 0, simple >= 0);
        if (r.closes_cycle) {
          ++cycles;
          with_prior_cycle += prior;
          EXPECT_EQ(static_cast<int>(cycle.size()), walk);
          if (!prior) EXPECT_EQ(static_cast<int>(cycle.size()) + 1, simple);
          ExpectValidPath(model, ids, cycle, b, a, closing, /*simple=*/!prior);
        } else if (a == b || PlainReachable(model, b, a)) {
          ++weak_only;  // a cycle, but not a strong one: must not be reported
        }
        model.mask[a][b] |= MaskOf(t);
        model.payload[a][b][static_cast<int>(t)] = k;
      }
      ExpectInvariants(g);
      for (int q = 0; q < 3; ++q) {
        int u = static_cast<int>(rng() % n), v = static_cast<int>(rng() % n);
        PathContext ctx{rng() % 2 == 0, rng() % 2 == 0};
        std::vector<DependencyEdge> path;
        bool found = g.FindPath(ids[u], ids[v], &path, ctx);
        int want = ShortestStrongWalk(model, u, v, ctx);
        ASSERT_EQ(found, want >= 0) << "FindPath " << u << "->" << v;
        if (!found) continue;
        ++paths;
        EXPECT_EQ(static_cast<int>(path.size()), want);
        ExpectValidPath(model, ids, path, u, v, ctx, !HasStrongSimpleCycle(model));
      }
      if (k == inserts / 2 && rng() % 4 == 0) {
        int x = static_cast<int>(rng() % n);
        g.RemoveNode(ids[x]);
        ids[x] = g.NodeFor(next_key++);
        model.Clear(x);
        ExpectInvariants(g);
      }
    }
  }
  // The generator must reach every case the assertions distinguish.
  EXPECT_GT(cycles, 1000);
  EXPECT_GT(weak_only, 300);
  EXPECT_GT(with_prior_cycle, 50);
  EXPECT_GT(paths, 5000);
}

}  // namespace
}  // namespace hvfuzz::check
