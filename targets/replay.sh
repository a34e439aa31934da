# SPDX-License-Identifier: Apache-2.0
# Sourced by ./hvfuzz: `./hvfuzz replay FILE [--bug NAME]... [--target NAME]`.
# Exit status: 0 no finding, 1 finding, 2 bad input or usage (text errors carry file:line:col).
#
# A crash replays only with the bug switches it was found with. They come from --bug, else
# HVFUZZ_BUGS (as for ./hvfuzz fuzz), else the session record <FILE>.session that ./hvfuzz fuzz
# writes beside each crash (as ./hvfuzz triage reads it); the target likewise from --target,
# else the session record, else a findings/<target>/ path, else vm. Where the switches came
# from is said on stderr, and a clean replay says so instead of ending silently: a user who
# forgot the switches must not read "exit 0, no output" as "fixed".

replay_usage() {
  cat <<'EOF2'
usage: ./hvfuzz replay FILE [--bug NAME]... [--target memslots|mmu|gpc|xen|global|vm]
  FILE               a crash file (binary) or a text program (# hvfuzz-prog v1)
  --bug NAME         bug switch to turn on (repeatable; default: HVFUZZ_BUGS, else the session
                     record FILE.session that ./hvfuzz fuzz wrote beside the crash)
  --target NAME      slice a binary file decodes by (default: the session record, a
                     findings/<target>/ path, else vm)
Exit status: 0 no finding, 1 finding, 2 bad input or usage.
EOF2
}

# replay_record_field FILE KEY: the value of KEY= in FILE.session (empty when absent).
replay_record_field() {
  local record="$1.session" key="$2" line
  [[ -r "$record" ]] || return 0
  while IFS= read -r line; do
    [[ "$line" == "$key="* ]] && { echo "${line#"$key="}"; return 0; }
  done <"$record"
}

# replay_choose FILE BUGS_FROM_FLAGS TARGET_FROM_FLAG: prints three lines: the bug list
# (comma-separated, maybe empty), where it came from, and the target.
replay_choose() {
  local file="$1" flag_bugs="$2" target="$3" bugs source
  if [[ -n "$flag_bugs" ]]; then
    bugs="$flag_bugs" source="--bug"
  elif [[ -n "${HVFUZZ_BUGS:-}" ]]; then
    bugs="$HVFUZZ_BUGS" source="HVFUZZ_BUGS"
  elif [[ -r "$file.session" ]]; then
    bugs=$(replay_record_field "$file" bugs) source="$file.session"
  else
    bugs="" source=""
  fi
  if [[ -z "$target" ]]; then
    target=$(replay_record_field "$file" target)
  fi
  if [[ -z "$target" ]]; then
    target=vm
    [[ "$file" =~ findings/(memslots|mmu|gpc|xen|global|vm)/ ]] && target="${BASH_REMATCH[1]}"
  fi
  printf '%s\n%s\n%s\n' "$bugs" "$source" "$target"
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
  local chosen list source
  chosen=$(replay_choose "$file" "$(IFS=,; echo "${bugs[*]:-}")" "$target")
  { read -r list; read -r source; read -r target; } <<<"$chosen"
  case "$target" in memslots|mmu|gpc|xen|global|vm) ;; *) die "replay: unknown target '$target'" ;; esac
  ensure_packages "${PKGS_BUILD[@]}"
  configure_build dev "${target}_fuzzer_replay" hvfuzz_model_tool >"$B/dev.build.log" 2>&1 ||
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
