// loom's DSL: include this in a model source.
#pragma once

#include "loom/dsl/export.hpp"
#include "loom/dsl/layers.hpp"
#include "loom/dsl/losses.hpp"
#include "loom/dsl/nn.hpp"
#include "loom/dsl/ops.hpp"
#include "loom/dsl/tensor.hpp"
