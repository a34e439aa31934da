#!/bin/bash -eu
# SPDX-License-Identifier: Apache-2.0
# OSS-Fuzz build script for hvfuzz (also used by .clusterfuzzlite/build.sh and, outside docker,
# by oss-fuzz/check_local.sh). OSS-Fuzz's `compile` runs it with CC, CXX, CFLAGS, CXXFLAGS
# (sanitizer + coverage flags), LIB_FUZZING_ENGINE (a link flag such as -fsanitize=fuzzer, or
# the path of the engine's driver library), SANITIZER, FUZZING_ENGINE, SRC, OUT and WORK set.
#
# It configures CMake with HVFUZZ_ENGINE=oss-fuzz (cmake/hvfuzz.cmake: compile flags come only
# from the environment, fuzzers link with $LIB_FUZZING_ENGINE), builds every *_fuzzer target
# plus `fuzz_assets`, and installs into $OUT, per fuzzer:
#   <name>  <name>_seed_corpus.zip  <name>.dict  <name>.options
# Bug switches stay off: they come only from HVFUZZ_BUGS, which OSS-Fuzz never sets. So the
# model fuzzed there is current upstream KVM, and any finding is news (a model error or a real
# upstream locking problem); the report says so (targets/fuzz_target.cc).
#
# Environment of our own (optional): HVFUZZ_SRC (default $SRC/hvfuzz, the checkout),
# HVFUZZ_OSS_BUILD_DIR (default $WORK/hvfuzz-build), HVFUZZ_JOBS (default: nproc).

src="${HVFUZZ_SRC:-$SRC/hvfuzz}"
build="${HVFUZZ_OSS_BUILD_DIR:-$WORK/hvfuzz-build}"
jobs="${HVFUZZ_JOBS:-$(nproc)}"

if [[ "${SANITIZER:-}" == thread ]]; then
  # OSS-Fuzz offers -fsanitize=thread but ClusterFuzz does not run TSan builds, and a coverage-
  # guided TSan build needs hvfuzz's own suppressions for the engine's counter writes
  # (docs/toolchain.md §3). Races are hunted by ./hvfuzz fuzz --tsan locally; the lock-order
  # validator, deadlock and invariant detectors need no sanitizer and run in every build here.
  echo "hvfuzz: SANITIZER=thread is not supported by this build (see oss-fuzz/project.yaml)" >&2
  exit 1
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# CMAKE_BUILD_TYPE stays empty: a build type would append its own -O/-g after $CXXFLAGS
# (docs/toolchain.md §5, gotcha 3). Tests and benchmarks are not built.
cmake -S "$src" -B "$build" "${generator[@]}" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE= \
  -DHVFUZZ_ENGINE=oss-fuzz -DHVFUZZ_SANITIZE= \
  -DHVFUZZ_BUILD_TESTS=OFF -DHVFUZZ_BUILD_BENCH=OFF

# Every *_fuzzer target the project defines (new targets are picked up without editing this).
mapfile -t fuzzers < <(cmake --build "$build" --target help |
                       sed -nE 's/^(\.\.\. )?([A-Za-z0-9_]+_fuzzer)(: .*)?$/\2/p' | sort -u)
if [[ ${#fuzzers[@]} -eq 0 ]]; then
  echo "hvfuzz: no *_fuzzer targets found in $build" >&2
  exit 1
fi
echo "hvfuzz: fuzzers: ${fuzzers[*]}"
cmake --build "$build" -j "$jobs" --target "${fuzzers[@]}" fuzz_assets

for f in "${fuzzers[@]}"; do
  bin=$(find "$build" -type f -perm -u+x -name "$f" | head -n1)
  [[ -n "$bin" ]] || { echo "hvfuzz: $f was not built" >&2; exit 1; }
  dir=$(dirname "$bin")
  cp "$bin" "$OUT/$f"
  for asset in "${f}_seed_corpus.zip" "$f.dict" "$f.options"; do
    [[ -f "$dir/$asset" ]] || { echo "hvfuzz: $dir/$asset was not generated" >&2; exit 1; }
    cp "$dir/$asset" "$OUT/$asset"
  done
done
