// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the "global" slice of the model (model::OpSpec::slice).
#include "targets/fuzz_target.h"

HVFUZZ_FUZZ_TARGET("global")
