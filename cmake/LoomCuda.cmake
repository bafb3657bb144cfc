# Finds what loom's cuda target needs at build time: the CUDA toolkit's
# libdevice (linked into kernels that use math functions) and ptxas (the
# tests check generated PTX with it). Sets LOOM_CUDA_TOOLKIT ("" when there is
# none: models are then built for the CPU only, and say so when asked for cuda).
set(LOOM_CUDA_CHIP "sm_80" CACHE STRING "GPU generation loom's PTX is generated for (runs there and on newer GPUs)")
if(NOT DEFINED LOOM_CUDA_TOOLKIT)
  find_path(LOOM_CUDA_LIBDEVICE_DIR libdevice.10.bc
            PATHS $ENV{CUDA_HOME}/nvvm/libdevice /usr/local/cuda/nvvm/libdevice /usr/lib/cuda/nvvm/libdevice
            NO_DEFAULT_PATH)
  if(LOOM_CUDA_LIBDEVICE_DIR)
    get_filename_component(toolkit "${LOOM_CUDA_LIBDEVICE_DIR}/../.." ABSOLUTE)
  else()
    set(toolkit "")
  endif()
  set(LOOM_CUDA_TOOLKIT "${toolkit}" CACHE PATH "CUDA toolkit for the cuda target (empty: none)")
endif()
if(LOOM_CUDA_TOOLKIT)
  find_program(LOOM_PTXAS ptxas PATHS ${LOOM_CUDA_TOOLKIT}/bin NO_DEFAULT_PATH)
  message(STATUS "loom: cuda target with ${LOOM_CUDA_TOOLKIT} (PTX for ${LOOM_CUDA_CHIP}; ptxas: ${LOOM_PTXAS})")
else()
  message(STATUS "loom: no CUDA toolkit (nvvm/libdevice) found: models are built for the CPU only")
endif()
