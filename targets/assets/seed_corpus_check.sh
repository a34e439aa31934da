#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctest: make_seed_corpus.cmake packs one binary seed per text seed into a flat zip (for the
# whole-VM fuzzer, where no op is left out), and each member decodes (hvfuzz_prog_tool decode)
# and re-encodes to the same bytes.
# usage: seed_corpus_check.sh ASSETS_TOOL PROG_TOOL SOURCE_DIR
set -u
assets="$1" tool="$2" src="$3"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
seeds=("$src"/corpus/{memslots,mmu,gpc,xen,global,vm}/*.hvp)
list=$(IFS='|'; echo "${seeds[*]}")
cmake -DTOOL="$assets" -DFUZZER=vm_fuzzer -DOUT="$tmp/t_seed_corpus.zip" -DWORK="$tmp/work" -DSEEDS="$list" \
      -P "$src/targets/assets/make_seed_corpus.cmake" || { echo "make_seed_corpus.cmake failed"; exit 1; }
mkdir "$tmp/unzipped"
(cd "$tmp/unzipped" && cmake -E tar xf "$tmp/t_seed_corpus.zip") || { echo "zip does not unpack"; exit 1; }
n=$(find "$tmp/unzipped" -type f | wc -l)
[[ $n == "${#seeds[@]}" ]] || { echo "zip has $n files for ${#seeds[@]} seeds"; exit 1; }
[[ -z "$(find "$tmp/unzipped" -mindepth 1 -type d)" ]] || { echo "zip is not flat"; exit 1; }
for f in "$tmp"/unzipped/*; do
  "$tool" decode "$f" >"$tmp/text.hvp" || { echo "$f does not decode"; exit 1; }
  "$tool" encode "$tmp/text.hvp" >"$tmp/again.bin" || { echo "$f: decoded text does not parse"; exit 1; }
  cmp -s "$f" "$tmp/again.bin" || { echo "$f: decode/encode changes the bytes"; exit 1; }
done
for s in "${seeds[@]}"; do  # the whole VM runs every op: exactly hvfuzz_prog_tool's encoding
  member="$tmp/unzipped/$(basename "$(dirname "$s")")-$(basename "$s" .hvp).bin"
  cmp -s "$member" <("$tool" encode "$s") || { echo "$member differs from hvfuzz_prog_tool encode $s"; exit 1; }
done
echo "ok: $n seeds in the zip, each decodes and re-encodes to itself"
