# SPDX-License-Identifier: Apache-2.0
# Sourced by ./hvfuzz: `./hvfuzz corpus merge [--target NAME]...` minimizes the working corpora
# of local fuzz sessions ($HVFUZZ_BUILD_DIR/corpus/<target>/, default build/) without losing
# coverage, with libFuzzer's -merge=1: every input that adds a coverage feature (code edges and
# hvfuzz's lock-order features, both counted by libFuzzer) is kept, the rest is left out.
#
# Nothing is deleted: the merge writes a fresh directory <target>.merge-<stamp>/, then renames
#   corpus/<target>/                  -> corpus/<target>.before-merge-<stamp>/  (kept as it was)
#   corpus/<target>.merge-<stamp>/    -> corpus/<target>/
# so the next session starts from the minimized corpus and the old one stays for comparison (or
# for you to remove). If the merge fails, corpus/<target>/ is left untouched. Bug switches are
# off while merging (coverage of the current model). Exit status: 0 done, 1 a merge failed,
# 2 usage.

corpus_usage() {
  cat <<'EOF'
usage: ./hvfuzz corpus merge [--target NAME]...
  --target NAME   memslots|mmu|gpc|xen|global|vm (repeatable; default: every target that has
                  a working corpus under $HVFUZZ_BUILD_DIR/corpus/)
Minimizes each working corpus with libFuzzer -merge=1 into a new directory and swaps it in by
rename; the old corpus is kept as corpus/<target>.before-merge-<stamp>/.
EOF
}

corpus_cmd() {
  local sub="${1:-}"
  case "$sub" in
    merge) shift; corpus_merge "$@" ;;
    -h|--help) corpus_usage ;;
    "") corpus_usage >&2; exit 2 ;;
    *) corpus_usage >&2; die "corpus: unknown subcommand '$sub'" ;;
  esac
}

# files and bytes of a directory: "N files, M bytes"
corpus_size() {
  local n bytes
  n=$(find "$1" -maxdepth 1 -type f | wc -l)
  bytes=$(find "$1" -maxdepth 1 -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  echo "$n files, $bytes bytes"
}

corpus_merge() {
  local targets=() t
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --target) targets+=("${2:?--target needs a name}"); shift 2 ;;
      -h|--help) corpus_usage; return 0 ;;
      *) corpus_usage >&2; die "corpus merge: unknown option '$1'" ;;
    esac
  done
  for t in "${targets[@]}"; do
    case "$t" in memslots|mmu|gpc|xen|global|vm) ;; *) die "corpus merge: unknown target '$t'" ;; esac
  done
  if [[ ${#targets[@]} -eq 0 ]]; then
    for t in memslots mmu gpc xen global vm; do
      [[ -n "$(ls -A "$B/corpus/$t" 2>/dev/null)" ]] && targets+=("$t")
    done
    [[ ${#targets[@]} -gt 0 ]] || { note "no working corpora under $B/corpus/ (run ./hvfuzz fuzz first)"; return 0; }
  fi
  ensure_packages "${PKGS_BUILD[@]}"
  local rc=0 stamp
  stamp=$(date +%Y%m%d-%H%M%S)
  for t in "${targets[@]}"; do
    local old="$B/corpus/$t" new="$B/corpus/$t.merge-$stamp" kept="$B/corpus/$t.before-merge-$stamp"
    if [[ -z "$(ls -A "$old" 2>/dev/null)" ]]; then
      note "corpus merge: $t: no working corpus at $old, nothing to do"
      continue
    fi
    [[ ! -e "$new" && ! -e "$kept" ]] || die "corpus merge: $new or $kept exists already"
    # The sessions' own build (fuzz_session.sh): the same coverage instrumentation, no
    # sanitizer slowdown, no second tree.
    note "building ${t}_fuzzer (fuzz-plain)"
    configure_build fuzz-plain "${t}_fuzzer" >"$B/fuzz-plain.build.log" 2>&1 ||
      { tail -30 "$B/fuzz-plain.build.log" >&2; die "corpus merge: build failed ($B/fuzz-plain.build.log)"; }
    mkdir -p "$new"
    local before log="$B/corpus/$t.merge-$stamp.log"
    before=$(corpus_size "$old")
    note "merging $t: $before"
    if HVFUZZ_BUGS= ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:symbolize=0}" \
       "$B/fuzz-plain/targets/${t}_fuzzer" -merge=1 -max_len=4096 -timeout=25 -rss_limit_mb=4096 \
         "$new" "$old" >"$log" 2>&1 && [[ -n "$(ls -A "$new")" ]]; then
      mv "$old" "$kept" && mv "$new" "$old" || { note "corpus merge: $t: rename failed"; rc=1; continue; }
      echo "$t: $before -> $(corpus_size "$old") (old corpus kept in $kept; log $log)"
    else
      note "corpus merge: $t: libFuzzer merge failed (log $log); $old left as it was, partial merge in $new"
      rc=1
    fi
  done
  return $rc
}
