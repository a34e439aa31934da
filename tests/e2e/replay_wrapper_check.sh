#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# e2e: ./hvfuzz replay's choice of bug switches and target (targets/replay.sh, sourced as
# ./hvfuzz sources it, with the real hvfuzz_triage_tool and stub replayers that print what
# they were given): --bug, else HVFUZZ_BUGS, else the session record beside the crash; target
# from --target, else the record, else a findings/<target>/ or sessions/<target>-* path, else
# vm. A clean replay says "no finding" (it once ended silently with exit 0 when the switches
# were forgotten), a finding exits 1.
# usage: replay_wrapper_check.sh TRIAGE_TOOL
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_packages() { :; }
configure_build() { :; }
fuzz_check_bugs() { :; }
PKGS_BUILD=()
# shellcheck source=targets/replay.sh
source "$ROOT/targets/replay.sh"

B="$work/build"
mkdir -p "$B/dev/targets" "$B/dev/triage"
ln -s "$(realpath "${1:?usage: replay_wrapper_check.sh TRIAGE_TOOL}")" "$B/dev/triage/hvfuzz_triage_tool"
for t in vm gpc xen; do
  cat >"$B/dev/targets/${t}_fuzzer_replay" <<STUB
#!/usr/bin/env bash
echo "stub $t bugs=[\$HVFUZZ_BUGS]"
[[ -z "\$HVFUZZ_BUGS" ]] && exit 0
echo "SUMMARY: hvfuzz: invariant-violation in hva_to_pfn_retry"
exit 1
STUB
  chmod +x "$B/dev/targets/${t}_fuzzer_replay"
done
crash="$work/crash-1"
printf 'x' >"$crash"
unset HVFUZZ_BUGS

# 1. Nothing says which switches: a clean run that says so, with the hint.
out=$(replay_main "$crash" 2>&1) || fail "a clean replay exited $?"
grep -qx "stub vm bugs=\[\]" <<<"$out" || fail "expected the vm replayer without switches: $out"
grep -q "no finding (target vm, bug switches: none)" <<<"$out" || fail "no 'no finding' line: $out"
grep -q "replays only with them: --bug NAME" <<<"$out" || fail "no hint about --bug: $out"

# 2. HVFUZZ_BUGS, as ./hvfuzz fuzz takes it.
rc=0; out=$(HVFUZZ_BUGS=gpc-refresh-race replay_main "$crash" 2>&1) || rc=$?
[[ $rc == 1 ]] || fail "a finding must exit 1, got $rc: $out"
grep -qx "stub vm bugs=\[gpc-refresh-race\]" <<<"$out" || fail "HVFUZZ_BUGS not passed: $out"
grep -q "(from HVFUZZ_BUGS)" <<<"$out" || fail "source of the switches not said: $out"
grep -q "no finding" <<<"$out" && fail "a finding reported as clean: $out"

# 3. The session record beside the crash: its switches and its target.
printf 'target=gpc\nengine=libfuzzer\nbackend=controlled\nbugs=gpc-deactivate-race\n' >"$crash.session"
rc=0; out=$(replay_main "$crash" 2>&1) || rc=$?
[[ $rc == 1 ]] || fail "record: expected exit 1, got $rc: $out"
grep -qx "stub gpc bugs=\[gpc-deactivate-race\]" <<<"$out" || fail "record not used: $out"
grep -q "(from $crash.session)" <<<"$out" || fail "record not named: $out"

# 4. --bug and --target win over the environment and the record.
rc=0; out=$(HVFUZZ_BUGS=x replay_main "$crash" --bug a --bug b --target xen 2>&1) || rc=$?
grep -qx "stub xen bugs=\[a,b\]" <<<"$out" || fail "--bug/--target did not win: $out"

# 5. A findings/<target>/ path names the target when nothing else does.
mkdir -p "$work/findings/xen"
printf 'x' >"$work/findings/xen/crash-2"
out=$(replay_main "$work/findings/xen/crash-2" 2>&1) || fail "findings/xen replay exited $?"
grep -qx "stub xen bugs=\[\]" <<<"$out" || fail "target not taken from the path: $out"
grep -q "no finding (target xen, bug switches: none)" <<<"$out" || fail "clean line: $out"

# 6. So does a libFuzzer artifact of a session that has not been collected yet.
mkdir -p "$work/build/sessions/gpc-20260101-120000-1/artifacts"
printf 'x' >"$work/build/sessions/gpc-20260101-120000-1/artifacts/crash-3"
out=$(replay_main "$work/build/sessions/gpc-20260101-120000-1/artifacts/crash-3" 2>&1) ||
  fail "session artifact replay exited $?"
grep -qx "stub gpc bugs=\[\]" <<<"$out" || fail "target not taken from the session path: $out"

# 7. Bad use: exit 2 with a message.
rc=0; out=$(replay_main 2>&1) || rc=$?
[[ $rc == 2 && "$out" == *"which file?"* ]] || fail "no file: $rc $out"
rc=0; out=$(replay_main "$crash" --target nope 2>&1) || rc=$?
[[ $rc == 2 && "$out" == *"unknown target 'nope'"* ]] || fail "bad target: $rc $out"
echo "PASS"
