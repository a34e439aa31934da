#!/bin/bash -eu
# SPDX-License-Identifier: Apache-2.0
# ClusterFuzzLite runs this with OSS-Fuzz's build environment; the build is OSS-Fuzz's.
exec bash -eu "$SRC/hvfuzz/oss-fuzz/build.sh"
