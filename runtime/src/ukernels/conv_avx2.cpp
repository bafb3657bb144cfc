// The micro-kernels for avx2 (8 floats a vector); see gemm.hpp.
#define LOOM_UK_ISA avx2
#define LOOM_UK_LANES 8
#include "gemm.hpp"
