// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the whole VM: every operation of the model.
#include "targets/fuzz_target.h"

HVFUZZ_FUZZ_TARGET("vm")
