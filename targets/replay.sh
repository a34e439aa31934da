# SPDX-License-Identifier: Apache-2.0
# Sourced by ./hvfuzz: `./hvfuzz replay FILE [--bug NAME]... [--target NAME]`.
# Exit status: 0 no finding, 1 finding, 2 bad input or usage (text errors carry file:line:col).
#
# A crash replays only with the bug switches it was found with. They come from --bug, else
# HVFUZZ_BUGS (as for ./hvfuzz fuzz), else the session record <FILE>.session that ./hvfuzz fuzz
# writes beside each crash; the target from --target, else the session record, else a
# findings/<target>/ or sessions/<target>-* path, else vm. The record and the path are read by
# hvfuzz_triage_tool describe, triage's own rule (DescribeCrashFile). Where the switches came
# from is said on stderr, and a clean replay says so instead of ending silently: a user who
# forgot the switches must not read "exit 0, no output" as "fixed".

replay_usage() {
  cat <<'EOF2'
usage: ./hvfuzz replay FILE [--bug NAME]... [--target memslots|mmu|gpc|xen|global|vm]
  FILE               a crash file (binary) or a text program (# hvfuzz-prog v1)
  --bug NAME         bug switch to turn on (repeatable; default: HVFUZZ_BUGS, else the session
                     record FILE.session that ./hvfuzz fuzz wrote beside the crash)
  --target NAME      slice a binary file decodes by (default: the session record, a
                     findings/<target>/ or sessions/<target>-* path, else vm)
Exit status: 0 no finding, 1 finding, 2 bad input or usage.
EOF2
}

replay_main() {
  local file="" target="" bugs=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --bug) bugs+=("${2:?--bug needs a name}"); shift 2 ;;
      --target) target="${2:?--target needs a name}"; shift 2 ;;
      -h|--help) replay_usage; return 0 ;;
      -*) die "replay: unknown option '$1'" ;;
      *) [[ -z "$file" ]] || die "replay: one file at a time"; file="$1"; shift ;;
    esac
  done
  [[ -n "$file" ]] || die "replay: which file? (./hvfuzz replay FILE)"
  [[ -r "$file" ]] || die "replay: $file: cannot read"
  local source="" bug_args=() b
  if [[ ${#bugs[@]} -gt 0 ]]; then
    source="--bug"
  elif [[ -n "${HVFUZZ_BUGS:-}" ]]; then
    IFS=, read -r -a bugs <<<"$HVFUZZ_BUGS"
    source="HVFUZZ_BUGS"
  fi
  for b in "${bugs[@]}"; do bug_args+=(--bug "$b"); done
  ensure_packages "${PKGS_BUILD[@]}"
  configure_build dev hvfuzz_triage_tool hvfuzz_model_tool >"$B/dev.build.log" 2>&1 ||
    { tail -30 "$B/dev.build.log" >&2; die "replay: build failed ($B/dev.build.log)"; }
  # Target and switches by triage's own rule for this file (triage/crash_file.h,
  # DescribeCrashFile), so that replay and triage never disagree about a crash.
  local line list="" known=0
  while IFS= read -r line; do
    case "$line" in
      target=*) target="${line#target=}" ;;
      bugs=*) list="${line#bugs=}" ;;
      bugs_known=*) known="${line#bugs_known=}" ;;
    esac
  done < <("$B/dev/triage/hvfuzz_triage_tool" describe "$file" ${target:+--target "$target"} \
             "${bug_args[@]}")
  [[ -z "$source" && "$known" == 1 ]] && source="$file.session"
  case "$target" in memslots|mmu|gpc|xen|global|vm) ;; *) die "replay: unknown target '$target'" ;; esac
  configure_build dev "${target}_fuzzer_replay" >"$B/dev.build.log" 2>&1 ||
    { tail -30 "$B/dev.build.log" >&2; die "replay: build failed ($B/dev.build.log)"; }
  fuzz_check_bugs "$list"
  [[ -n "$source" && "$source" != "--bug" ]] &&
    note "replay: bug switches ${list:-none} (from $source)"
  local rc=0
  HVFUZZ_BUGS="$list" "$B/dev/targets/${target}_fuzzer_replay" "$file" 2>&1 || rc=$?
  if [[ $rc == 0 ]]; then
    note "replay: $file: no finding (target $target, bug switches: ${list:-none})"
    [[ -z "$source" ]] &&
      note "replay: a crash found with bug switches replays only with them: --bug NAME (./hvfuzz bugs lists them; ./hvfuzz triage tries each)"
  fi
  return $rc
}
