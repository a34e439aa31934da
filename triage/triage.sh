# SPDX-License-Identifier: Apache-2.0
# Sourced by ./hvfuzz: `./hvfuzz triage` and `./hvfuzz promote` (hvfuzz_triage_tool does the
# work; triage/triage_run.h and triage/promote.h state the contracts).
#
# Files: a triage run writes a fresh directory ($HVFUZZ_BUILD_DIR/triage/<date>-<pid>/ unless
# --out names a new one) holding index.html and one folder per bucket; it never overwrites or
# deletes anything. Promote writes tests/regressions/<name>.hvp and copies the crash file into
# corpus/regressions/<target>/ (never overwriting).
#
# Bug switches for a crash come from --bug (all files), else from the session record
# <crash>.session that ./hvfuzz fuzz writes beside each crash (target, engine, backend, bugs);
# for a bare engine artifact with neither, triage tries no switch, then each switch alone.

triage_usage() {
  cat <<'EOF2'
usage: ./hvfuzz triage PATH... [--bug NAME]... [--target NAME] [--out DIR]
  PATH               crash files or directories: libFuzzer artifacts (crash-*), AFL++ output
                     (crashes/id:*), findings/<target>/, text programs (*.hvp)
  --bug NAME         bug switch for every file (repeatable; default: each file's session record)
  --target NAME      memslots|mmu|gpc|xen|global|vm: slice binary files decode by
                     (default: the session record, a findings/<target>/ path, else vm)
  --out DIR          a new directory for the results (default: $HVFUZZ_BUILD_DIR/triage/<date>-<pid>)
       ./hvfuzz promote BUCKET [--name NAME]
  BUCKET             a bucket folder of a triage run, or its key (latest run that has it)
  --name NAME        file name in tests/regressions/ (default: the switches, else the title)
EOF2
}

triage_build() {
  ensure_packages "${PKGS_BUILD[@]}" "${PKGS_TRIAGE[@]}"
  configure_build dev hvfuzz_triage_tool hvfuzz_model_tool >"$B/dev.build.log" 2>&1 ||
    { tail -30 "$B/dev.build.log" >&2; die "$1: build failed ($B/dev.build.log)"; }
}

cmd_triage() {
  local paths=() args=() bugs=() out=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --bug) bugs+=("${2:?--bug needs a name}"); args+=(--bug "$2"); shift 2 ;;
      --target)
        case "${2:-}" in memslots|mmu|gpc|xen|global|vm) ;; *) die "triage: unknown target '${2:-}'" ;; esac
        args+=(--target "$2"); shift 2 ;;
      --out) out="${2:?--out needs a directory}"; shift 2 ;;
      -h|--help) triage_usage; return 0 ;;
      -*) triage_usage >&2; die "triage: unknown option '$1'" ;;
      *) paths+=("$1"); shift ;;
    esac
  done
  [[ ${#paths[@]} -gt 0 ]] || { triage_usage >&2; die "triage: which crash files? (./hvfuzz triage findings/)"; }
  [[ -z "$out" ]] && out="$B/triage/$(date +%Y%m%d-%H%M%S)-$$"
  [[ -e "$out" ]] && die "triage: $out exists (triage never overwrites earlier results)"
  triage_build triage
  local list
  list=$(IFS=,; echo "${bugs[*]:-}")
  fuzz_check_bugs "$list"
  "$B/dev/triage/hvfuzz_triage_tool" triage --out "$out" "${args[@]}" "${paths[@]}"
}

cmd_promote() {
  local bucket="" args=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --name) args+=(--name "${2:?--name needs a name}"); shift 2 ;;
      -h|--help) triage_usage; return 0 ;;
      -*) die "promote: unknown option '$1'" ;;
      *) [[ -z "$bucket" ]] || die "promote: one bucket at a time"; bucket="$1"; shift ;;
    esac
  done
  [[ -n "$bucket" ]] || die "promote: which bucket? (./hvfuzz promote BUCKET)"
  if [[ ! -d "$bucket" ]]; then
    # A key: the newest run that has a bucket of that name.
    local found
    found=$(ls -d "$B"/triage/*/"$bucket" 2>/dev/null | sort | tail -n1 || true)
    [[ -n "$found" ]] || die "promote: $bucket: no such bucket folder or key under $B/triage/"
    bucket="$found"
  fi
  triage_build promote
  "$B/dev/triage/hvfuzz_triage_tool" promote "$bucket" --tests tests/regressions \
    --corpus corpus/regressions "${args[@]}"
}
