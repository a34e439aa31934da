# SPDX-License-Identifier: Apache-2.0
# Sourced by the bash e2e checks that source a piece of ./hvfuzz (targets/*.sh) with stubs:
# ROOT (the source tree), a scratch directory `work` removed on exit, `fail`, and the `die` and
# `note` that ./hvfuzz itself defines, with its exit status 2 for usage errors.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
die() { echo "hvfuzz: $*" >&2; exit 2; }
note() { echo "hvfuzz: $*" >&2; }
