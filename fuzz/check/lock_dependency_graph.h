// SPDX-License-Identifier: Apache-2.0
// LockDependencyGraph: lockdep's graph of lock-class dependencies. An edge A -> B says "B was
// acquired while A was held"; it carries any of lockdep's four dependency types (Boqun Feng's
// recursive-read support, v5.10): whether A was held exclusively (E) or shared (S, any read),
// and whether B was acquired as a recursive read (R) or not (N). This is the *order* graph
// (what was ever taken before what), not the wait-for graph of who blocks whom right now.
//
// Strong paths: a path or cycle is strong iff no edge ending in a recursive read (-(*R)->) is
// immediately followed by an edge starting from a shared holder (-(S*)->). Only strong cycles
// can deadlock: two recursive readers in a cycle are fine, a writer or a non-recursive reader
// anywhere in it is not (docs/kvm-locking.md E.1).
//
// What it refuses to do: it does not refuse cycles. Unlike abseil's GraphCycles (and the G8
// sketch), InsertEdge records the edge even when it closes a strong cycle and reports the cycle
// to the caller: reader-reader cycles are legal and must be stored anyway, the validator stops
// at its first finding (so what follows in the run does not matter), and a warm graph kept
// across runs then stays a faithful record of what was observed. It knows nothing of tasks or
// reports: each (edge, type) keeps an opaque int32 payload, set when first inserted, that the
// caller maps to where the dependency was first seen.
//
// Thread-safety: none; the caller serializes every call, const ones included (searches use
// scratch buffers kept in the graph). Cost: NodeFor and HasEdge O(1) expected; InsertEdge O(1)
// when the edge already carries the type, otherwise one breadth-first search over
// (node, last-edge-was-R) states, O(V + E); FindPath and IsReachable O(V + E); RemoveNode
// O(degree). Searches allocate only to grow scratch or to return a path.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/check/internal/flat_u64_map.h"

namespace hvfuzz::check {

// Lockdep's dependency types (kernel/locking/lockdep.c, DEP_{EN,SN,ER,SR}_BIT). Bit 0 says the
// edge starts from a shared holder, bit 1 that it ends in a recursive read.
enum class DependencyType : uint8_t {
  kExclusiveToNonRecursive = 0,  // -(EN)->
  kSharedToNonRecursive = 1,     // -(SN)->
  kExclusiveToRecursive = 2,     // -(ER)->
  kSharedToRecursive = 3,        // -(SR)->
};
// A set of dependency types: bit (1 << type).
using DependencyTypeMask = uint8_t;
inline constexpr DependencyTypeMask kAnyDependencyType = 0xF;

constexpr DependencyType MakeDependencyType(bool from_shared, bool to_recursive) {
  return static_cast<DependencyType>((from_shared ? 1 : 0) | (to_recursive ? 2 : 0));
}
constexpr bool FromShared(DependencyType t) { return (static_cast<int>(t) & 1) != 0; }
constexpr bool ToRecursive(DependencyType t) { return (static_cast<int>(t) & 2) != 0; }
constexpr DependencyTypeMask MaskOf(DependencyType t) {
  return static_cast<DependencyTypeMask>(1u << static_cast<int>(t));
}
// "EN", "SN", "ER", "SR".
const char* DependencyTypeName(DependencyType t);

// Opaque node id; never reused, even after RemoveNode.
using LockNodeId = int32_t;
inline constexpr LockNodeId kInvalidLockNode = -1;

// One typed edge of a path, with the payload recorded when that type was first inserted.
struct DependencyEdge {
  LockNodeId from = kInvalidLockNode;
  LockNodeId to = kInvalidLockNode;
  DependencyType type = DependencyType::kExclusiveToNonRecursive;
  int32_t payload = -1;
};

// The edges around a path when it is one piece of a longer chain (a cycle being closed).
struct PathContext {
  // The edge before the path ends in a recursive read: the first edge must start from E.
  bool after_recursive_read = false;
  // The edge after the path starts from a shared holder: the last edge must end in N.
  bool before_shared_holder = false;
};

class LockDependencyGraph {
 public:
  struct InsertResult {
    bool new_dependency = false;  // the edge did not carry `type` before (payload stored)
    bool closes_cycle = false;    // a strong cycle runs through the new typed edge
  };

  LockDependencyGraph() = default;
  LockDependencyGraph(LockDependencyGraph&&) = default;
  LockDependencyGraph& operator=(LockDependencyGraph&&) = default;
  LockDependencyGraph(const LockDependencyGraph&) = delete;
  LockDependencyGraph& operator=(const LockDependencyGraph&) = delete;

  // The node for `key` (the validator uses lock class id and subclass), created on first use.
  // `key` must not be ~0. After RemoveNode the same key gets a new id.
  LockNodeId NodeFor(uint64_t key);

  // Records from -(type)-> to, keeping `payload` if the edge did not carry `type` yet. When the
  // type is new, searches for a strong cycle through the new edge; if there is one and `cycle`
  // is given, *cycle receives the path to -> ... -> from (the closing edge itself excluded),
  // shortest first. The edge is recorded in either case. A self-edge (from == to) is a cycle
  // of one unless it is -(SR)->. Both ids must be live (harness error otherwise).
  InsertResult InsertEdge(LockNodeId from, LockNodeId to, DependencyType type, int32_t payload,
                          std::vector<DependencyEdge>* cycle = nullptr);

  // True when from -> to carries any type in `types`. False for dead or unknown ids.
  bool HasEdge(LockNodeId from, LockNodeId to, DependencyTypeMask types = kAnyDependencyType) const;

  // True when a strong path leads from `from` to `to` (always true for from == to).
  bool IsReachable(LockNodeId from, LockNodeId to) const { return FindPath(from, to, nullptr); }

  // Finds a shortest strong path from `from` to `to` that also respects `context`; fills
  // *path (if given) with its edges in order and returns true, or returns false. A zero-length
  // path (from == to) counts when `context` allows it. When the graph already holds a strong
  // cycle the path may pass one node twice (first reached through *R, later through *N); it
  // never does when the graph had no strong cycle.
  bool FindPath(LockNodeId from, LockNodeId to, std::vector<DependencyEdge>* path,
                PathContext context = {}) const;

  // Removes the node and every edge to or from it. Its id stays dead.
  void RemoveNode(LockNodeId node);

  // Checks the adjacency lists, the edge and key indexes and the payloads against each other.
  // Returns false and says why in *why (if given). Expensive: tests only.
  bool CheckInvariants(std::string* why = nullptr) const;

  int TestOnlyLiveNodeCount() const;
  int TestOnlyEdgeCount() const { return static_cast<int>(edge_index_.size()); }
  // The payload of from -(type)->, or -1 when that typed edge is absent.
  int32_t TestOnlyPayload(LockNodeId from, LockNodeId to, DependencyType type) const;

 private:
  struct Edge {
    LockNodeId from = kInvalidLockNode;
    LockNodeId to = kInvalidLockNode;
    DependencyTypeMask types = 0;  // 0: free slot
    std::array<int32_t, 4> payload{-1, -1, -1, -1};
  };
  struct Node {
    uint64_t key = 0;
    bool alive = false;
    std::vector<int32_t> out;  // edge slots, insertion order (searches are deterministic)
    std::vector<int32_t> in;
  };
  // Search state: node * 2 + (1 when the edge that reached it ends in a recursive read).
  struct Visit {
    uint32_t stamp = 0;
    int32_t parent = -1;    // state it was reached from
    int32_t via_edge = -1;  // edge slot it was reached through
    DependencyType type = DependencyType::kExclusiveToNonRecursive;
  };

  static uint64_t PairKey(LockNodeId from, LockNodeId to) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(from)) << 32) | static_cast<uint32_t>(to);
  }
  bool Live(LockNodeId n) const {
    return n >= 0 && n < static_cast<LockNodeId>(nodes_.size()) && nodes_[n].alive;
  }
  void RequireLive(LockNodeId n, const char* op) const;
  const Edge* FindEdge(LockNodeId from, LockNodeId to) const;
  void UnlinkEdge(int32_t slot);

  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<int32_t> free_edges_;
  internal::FlatU64Map<LockNodeId> node_index_;  // key -> live node
  internal::FlatU64Map<int32_t> edge_index_;     // PairKey(from, to) -> edge slot

  // Scratch for searches, reused across calls (stamps avoid clearing).
  mutable std::vector<Visit> visits_;
  mutable std::vector<int32_t> queue_;
  mutable uint32_t stamp_ = 0;
};

}  // namespace hvfuzz::check
