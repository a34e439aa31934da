// SPDX-License-Identifier: Apache-2.0
// Site: the model source line that made a sync call, captured by default arguments
// (`Site site = Site::Here()`), so reports can say "model/gpc.cc:88". File names are relative to
// the source root because the build passes -fmacro-prefix-map. Trivially copyable; no allocation.
#pragma once

namespace hvfuzz::sync {

struct Site {
  const char* file = "";
  int line = 0;

  static constexpr Site Here(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return Site{file, line};
  }
};

}  // namespace hvfuzz::sync
