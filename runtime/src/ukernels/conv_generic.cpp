// The micro-kernels for generic (4 floats a vector); see gemm.hpp.
#define LOOM_UK_ISA generic
#define LOOM_UK_LANES 4
#include "gemm.hpp"
