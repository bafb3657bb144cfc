// The micro-kernels for avx512 (16 floats a vector); see gemm.hpp.
#define LOOM_UK_ISA avx512
#define LOOM_UK_LANES 16
#include "gemm.hpp"
