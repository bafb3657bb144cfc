// loom's runtime: everything a model's standalone binary needs.
#pragma once

#include "loom/rt/args.hpp"
#include "loom/rt/buffer.hpp"
#include "loom/rt/data.hpp"
#include "loom/rt/device.hpp"
#include "loom/rt/distributed.hpp"
#include "loom/rt/error.hpp"
#include "loom/rt/memory.hpp"
#include "loom/rt/numerics.hpp"
#include "loom/rt/params.hpp"
#include "loom/rt/philox.hpp"
#include "loom/rt/plot.hpp"
#include "loom/rt/tensor.hpp"
#include "loom/rt/threads.hpp"
#include "loom/rt/train.hpp"
