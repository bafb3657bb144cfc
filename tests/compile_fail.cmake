# Expected-failure compile test (as Halide's test/error): compiling SRC must fail,
# the compiler's output must contain the text of SRC's "// EXPECT: " line (and
# of any "// EXPECT-ALSO: " lines), and none of its "// EXPECT-NOT: " lines
# (one mistake, one error: no cascade).
#   cmake -DCXX=... -DFLAGS="a;b" -DSRC=file.cpp -P compile_fail.cmake
file(STRINGS "${SRC}" expects REGEX "^// EXPECT(-ALSO)?: ")
file(STRINGS "${SRC}" unexpected REGEX "^// EXPECT-NOT: ")
if(NOT expects)
  message(FATAL_ERROR "${SRC} has no // EXPECT: line")
endif()
execute_process(COMMAND ${CXX} ${FLAGS} -fsyntax-only "${SRC}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SRC} compiled, but it should fail with: ${expects}")
endif()
foreach(line IN LISTS expects)
  string(REGEX REPLACE "^// EXPECT(-ALSO)?: " "" expect "${line}")
  string(FIND "${out}${err}" "${expect}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "expected error not found: ${expect}\n--- the compiler said:\n${err}")
  endif()
  message(STATUS "failed as expected: ${expect}")
endforeach()
foreach(line IN LISTS unexpected)
  string(REGEX REPLACE "^// EXPECT-NOT: " "" text "${line}")
  string(FIND "${out}${err}" "${text}" pos)
  if(NOT pos EQUAL -1)
    message(FATAL_ERROR "the compiler also said '${text}' (a cascade from the first error):\n${err}")
  endif()
endforeach()
