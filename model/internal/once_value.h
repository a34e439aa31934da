// SPDX-License-Identifier: Apache-2.0
// OnceValue<T>: a word the kernel reads and writes with plain aligned accesses (or
// READ_ONCE/WRITE_ONCE) while others access it concurrently, on purpose: e.g. a memslot set's
// generation, stored after the grace period while SRCU readers compare it
// (kvm_swap_active_memslots vs kvm_gpc_check). Aligned words are not torn on the kernel's
// architectures, so the race is benign there; in C++ it is undefined, and TSan would report
// it. Relaxed atomics model exactly "not torn, no ordering", and keep every other
// unsynchronized access of the model visible to TSan.
#pragma once

#include <atomic>

namespace hvfuzz::model::internal {

template <class T>
class OnceValue {
 public:
  OnceValue(T v = T{}) : v_(v) {}  // NOLINT(google-explicit-constructor): a drop-in word
  OnceValue(const OnceValue& o) : v_(o.load()) {}
  OnceValue& operator=(const OnceValue& o) {
    store(o.load());
    return *this;
  }
  OnceValue& operator=(T v) {
    store(v);
    return *this;
  }
  operator T() const { return load(); }  // NOLINT(google-explicit-constructor)

  T load() const { return v_.load(std::memory_order_relaxed); }
  void store(T v) { v_.store(v, std::memory_order_relaxed); }

 private:
  std::atomic<T> v_;
};

}  // namespace hvfuzz::model::internal
