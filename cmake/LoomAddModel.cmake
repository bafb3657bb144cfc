# loom_add_model(NAME SOURCE model.cpp [CPU cpu-name] [TARGETS cpu [cuda]] [DUMP_STAGES]
#                [CHECK_NUMERICS] [EXTRA_SOURCES ...])
#
# Builds NAME_generator from the model source (it links loom's compiler), runs it
# at build time, and yields:
#   NAME                a static library with the compiled exports (links only
#                       loom::runtime and libm: no LLVM or MLIR);
#   NAME.h              its header (#include "NAME.h"), with NAME::Model and a
#                       typed method per export;
#   NAME.loom/stages/   with DUMP_STAGES: every IR stage, numbered (as --dump-dir
#                       writes them; off by default, since the dumps of a large
#                       network cost time and disk: the generator prints any
#                       stage on demand);
# With CHECK_NUMERICS every op's f32 outputs are checked for NaN and Inf
# (generator --check-numerics; slower: no elementwise fusion, a scan after each
# op): the first one ends the call with a loom::rt::Error naming the op, its
# model-source line and the step. CPU code only: TARGETS defaults to cpu.
# and for the cuda target (kernels as PTX inside the library, launched through
# the runtime's CUDA layer; the device is picked at run time):
#   NAME.loom/stages-cuda/  with DUMP_STAGES, the CUDA pipeline's stages;
#   NAME.loom/NAME.ptx      the kernels' PTX (for ptxas and for reading).
#
# loom_add_generator(NAME SOURCE model.cpp [EXTRA_SOURCES ...]) builds only the
# generator executable NAME_generator (for models compiled by hand or by a
# benchmark script).
# CPU defaults to LOOM_CPU (x86-64-v3); "native" targets the build machine.
# TARGETS defaults to cpu and cuda when a CUDA toolkit was found (LOOM_CUDA_TOOLKIT),
# else cpu; cuda without a toolkit is dropped with a warning.
set(LOOM_CPU "x86-64-v3" CACHE STRING "LLVM CPU name loom models are compiled for (or native)")

# Generators (the model sources) are compiled by clang >= 17 in C++26 mode, so
# that shape errors print their shapes in the message itself (see
# dsl/include/loom/dsl/error.hpp); CMake 3.25 does not know clang's flag for it
# yet. A project configured with another compiler (GCC, an older clang) still
# gets clang-19 for its generators: loom_add_generator compiles their sources
# with it by custom commands and links them with the project's compiler.
set(LOOM_GENERATOR_CXX "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 17)
  if(NOT CMAKE_CXX26_STANDARD_COMPILE_OPTION)
    set(CMAKE_CXX26_STANDARD_COMPILE_OPTION "-std=c++26")
    set(CMAKE_CXX26_EXTENSION_COMPILE_OPTION "-std=gnu++26")
  endif()
  set(LOOM_GENERATOR_CXX_STANDARD 26)
else()
  find_program(LOOM_CLANG_CXX NAMES clang++-19 DOC "clang++ 19, for loom's model generators")
  if(NOT LOOM_CLANG_CXX)
    message(FATAL_ERROR "loom: model generators are compiled with clang++-19 (for shape errors that name the shapes), "
                        "and it was not found: install clang-19 (apt-get install clang-19) or set LOOM_CLANG_CXX")
  endif()
  set(LOOM_GENERATOR_CXX "${LOOM_CLANG_CXX}")
  set(LOOM_GENERATOR_CXX_STANDARD 20)
  message(STATUS "loom: generators compiled with ${LOOM_CLANG_CXX} (the project's compiler is ${CMAKE_CXX_COMPILER_ID})")
endif()

function(loom_add_generator name)
  cmake_parse_arguments(ARG "" "SOURCE" "EXTRA_SOURCES" ${ARGN})
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "loom_add_generator(${name}): SOURCE model.cpp is required")
  endif()
  set(gen ${name}_generator)
  if(NOT LOOM_GENERATOR_CXX)
    add_executable(${gen} ${ARG_SOURCE} ${ARG_EXTRA_SOURCES})
  else()
    # The target's own include directories and definitions (also those added
    # after this call, and those of what it links), as generator expressions.
    set(incs "$<TARGET_PROPERTY:${gen},INCLUDE_DIRECTORIES>")
    set(defs "$<TARGET_PROPERTY:${gen},COMPILE_DEFINITIONS>")
    set(objs)
    foreach(src ${ARG_SOURCE} ${ARG_EXTRA_SOURCES})
      get_filename_component(abs "${src}" ABSOLUTE)
      get_filename_component(base "${src}" NAME)
      set(obj ${CMAKE_CURRENT_BINARY_DIR}/${gen}.clang/${base}.o)
      add_custom_command(
        OUTPUT ${obj}
        COMMAND ${LOOM_GENERATOR_CXX} -std=c++26 -O1 -fPIE "$<$<BOOL:${incs}>:-I$<JOIN:${incs},;-I>>"
                "$<$<BOOL:${defs}>:-D$<JOIN:${defs},;-D>>" -MD -MF ${obj}.d -c ${abs} -o ${obj}
        DEPENDS ${abs}
        DEPFILE ${obj}.d
        COMMENT "loom: compiling generator source ${base} with clang++-19"
        COMMAND_EXPAND_LISTS VERBATIM)
      list(APPEND objs ${obj})
    endforeach()
    set_source_files_properties(${objs} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    add_executable(${gen} ${objs})
    set_target_properties(${gen} PROPERTIES LINKER_LANGUAGE CXX)
  endif()
  target_link_libraries(${gen} PRIVATE loom::generator_main)
  set_target_properties(${gen} PROPERTIES CXX_STANDARD ${LOOM_GENERATOR_CXX_STANDARD})
  set_property(GLOBAL APPEND PROPERTY LOOM_GENERATORS ${gen})
endfunction()

# The PTX stage's dump file (NN-ptx.ptx, NN its row in the compiler's stage table).
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/../compiler/include/loom/Compiler/Stages.def loom_stage_rows REGEX "^LOOM_STAGE\\(")
list(LENGTH loom_stage_rows loom_stage_count)
set(LOOM_PTX_DUMP "")
foreach(row IN LISTS loom_stage_rows)
  list(FIND loom_stage_rows "${row}" i)
  if(row MATCHES "^LOOM_STAGE\\(ptx, \"([^\"]+)\", \"([^\"]+)\"")
    math(EXPR n "${i} + 1")
    string(LENGTH "${n}" digits)
    if(digits EQUAL 1)
      set(n "0${n}")
    endif()
    set(LOOM_PTX_DUMP "${n}-${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
  endif()
endforeach()
if(NOT LOOM_PTX_DUMP)
  message(FATAL_ERROR "no ptx row in compiler/include/loom/Compiler/Stages.def")
endif()

# The targets a model's library may be built for, and which of them are GPU
# code, from the compiler's target table.
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/../compiler/include/loom/Compiler/Targets.def loom_target_rows REGEX "^LOOM_TARGET\\(")
set(LOOM_LIBRARY_TARGETS "")
set(LOOM_GPU_TARGETS "")
foreach(row IN LISTS loom_target_rows)
  if(NOT row MATCHES "^LOOM_TARGET\\([A-Za-z]+, \"([^\"]+)\", \"[^\"]*\", (true|false), (true|false), (true|false),")
    message(FATAL_ERROR "compiler/include/loom/Compiler/Targets.def: cannot read the row '${row}'")
  endif()
  if(CMAKE_MATCH_4)
    list(APPEND LOOM_LIBRARY_TARGETS ${CMAKE_MATCH_1})
    if(CMAKE_MATCH_2)
      list(APPEND LOOM_GPU_TARGETS ${CMAKE_MATCH_1})
    endif()
  endif()
endforeach()
list(JOIN LOOM_LIBRARY_TARGETS ", " loom_library_target_names)

function(loom_add_model name)
  cmake_parse_arguments(ARG "DUMP_STAGES;CHECK_NUMERICS" "SOURCE;CPU" "EXTRA_SOURCES;TARGETS" ${ARGN})
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "loom_add_model(${name}): SOURCE model.cpp is required")
  endif()
  if(NOT ARG_CPU)
    set(ARG_CPU "${LOOM_CPU}")
  endif()
  set(checks "")
  if(ARG_CHECK_NUMERICS)
    set(checks --check-numerics)
    foreach(t IN LISTS ARG_TARGETS)
      if(t IN_LIST LOOM_GPU_TARGETS)
        message(FATAL_ERROR "loom_add_model(${name}): CHECK_NUMERICS checks CPU code only; drop ${t} from TARGETS "
                            "(or build a second model without CHECK_NUMERICS for the GPU)")
      endif()
    endforeach()
  endif()
  if(NOT ARG_TARGETS)
    set(ARG_TARGETS cpu)
    if(LOOM_CUDA_TOOLKIT AND NOT ARG_CHECK_NUMERICS)
      list(APPEND ARG_TARGETS cuda)
    endif()
  endif()
  foreach(t IN LISTS ARG_TARGETS)
    if(NOT t IN_LIST LOOM_LIBRARY_TARGETS)
      message(FATAL_ERROR "loom_add_model(${name}): unknown target '${t}' (${loom_library_target_names})")
    endif()
  endforeach()
  if("cuda" IN_LIST ARG_TARGETS AND NOT LOOM_CUDA_TOOLKIT)
    message(WARNING "loom_add_model(${name}): no CUDA toolkit (set LOOM_CUDA_TOOLKIT): building for the CPU only")
    list(REMOVE_ITEM ARG_TARGETS cuda)
  endif()
  list(JOIN ARG_TARGETS "," targets)

  loom_add_generator(${name} SOURCE ${ARG_SOURCE} EXTRA_SOURCES ${ARG_EXTRA_SOURCES})
  set(gen ${name}_generator)

  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.loom)
  set(obj ${out}/${name}.o)
  set(hdr ${out}/include/${name}.h)
  set(dump "")
  # The PTX is always kept (NAME.ptx, for ptxas and for reading).
  set(cuda_dump --dump-dir ${out}/stages-cuda --dump-stages=ptx)
  if(ARG_DUMP_STAGES)
    set(dump --dump-dir ${out}/stages)
    set(cuda_dump --dump-dir ${out}/stages-cuda)
  endif()
  add_custom_command(
    OUTPUT ${obj} ${hdr}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/include
    COMMAND ${gen} --emit=obj --cpu=${ARG_CPU} -o ${obj} ${dump} ${checks}
    COMMAND ${gen} --emit=header --target=${targets} -o ${hdr} ${checks}
    DEPENDS ${gen}
    COMMENT "loom: compiling model ${name} for ${ARG_CPU}"
    VERBATIM)
  set(objs ${obj})
  if("cuda" IN_LIST ARG_TARGETS)
    set(cuda_obj ${out}/${name}_cuda.o)
    add_custom_command(
      OUTPUT ${cuda_obj} ${out}/${name}.ptx
      COMMAND ${gen} --emit=obj --target=cuda --cpu=${ARG_CPU} --cuda-chip=${LOOM_CUDA_CHIP}
              --cuda-toolkit=${LOOM_CUDA_TOOLKIT} -o ${cuda_obj} ${cuda_dump}
      COMMAND ${CMAKE_COMMAND} -E copy ${out}/stages-cuda/${LOOM_PTX_DUMP} ${out}/${name}.ptx
      DEPENDS ${gen}
      COMMENT "loom: compiling model ${name} for cuda (${LOOM_CUDA_CHIP})"
      VERBATIM)
    list(APPEND objs ${cuda_obj})
    # Every model's PTX, for the test that checks it with ptxas.
    set_property(GLOBAL APPEND PROPERTY LOOM_PTX_FILES ${out}/${name}.ptx)
  endif()
  set_source_files_properties(${objs} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)

  add_library(${name} STATIC ${objs} ${hdr})
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX)
  target_include_directories(${name} PUBLIC ${out}/include)
  set_target_properties(${name} PROPERTIES LOOM_DIR ${out} LOOM_MODEL_CPU ${ARG_CPU})
  target_link_libraries(${name} PUBLIC loom::runtime)
endfunction()
