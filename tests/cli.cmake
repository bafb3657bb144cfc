# Every program loom builds takes --help (usage on stdout, exit 0) and refuses
# an unknown flag with a non-zero exit and a message that names it.
#   cmake -DBIN=program -P cli.cmake
execute_process(COMMAND ${BIN} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(TOLOWER "${out}" lower)
if(NOT rc EQUAL 0 OR NOT lower MATCHES "usage:")
  message(FATAL_ERROR "${BIN} --help: exit ${rc}, no usage on stdout\n--- stdout:\n${out}\n--- stderr:\n${err}")
endif()
execute_process(COMMAND ${BIN} --no-such-flag RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT "${out}${err}" MATCHES "--no-such-flag")
  message(FATAL_ERROR "${BIN} --no-such-flag: exit ${rc}, the flag is not named\n--- stdout:\n${out}\n--- stderr:\n${err}")
endif()
message(STATUS "${BIN}: --help and an unknown flag ok")
