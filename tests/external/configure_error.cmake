# Configures tests/external with bad loom_add_model arguments (ARGS, a
# ;-list) and passes when configuring fails; ctest matches the message.
file(REMOVE_RECURSE "${BIN}")
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SRC}" -B "${BIN}" -G Ninja -DCMAKE_CXX_COMPILER=${CXX}
                        -Dloom_DIR=${LOOM_DIR} "-DEXTERNAL_MODEL_ARGS=${ARGS}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE "${BIN}")
if(rc EQUAL 0)
  message(FATAL_ERROR "configuring with loom_add_model(scorer ... ${ARGS}) succeeded")
endif()
message(STATUS "configure failed as it should:\n${err}")
