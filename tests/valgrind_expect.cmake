# tests/valgrind_expect.cmake: runs EXE [ARGS] under valgrind's TOOL (helgrind or drd), with
# OPTIONS ('|'-separated valgrind options).
#   EXPECT=clean   the program succeeds and the tool reports 0 errors
#   EXPECT=report  the tool reports at least one error whose text matches MATCH
string(REPLACE "|" ";" OPTIONS "${OPTIONS}")
execute_process(
  COMMAND ${VALGRIND} --tool=${TOOL} --error-exitcode=99 ${OPTIONS} ${EXE} ${ARGS}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "ERROR SUMMARY: [0-9]+ errors" summary "${err}")
message(STATUS "${TOOL} ${EXE} ${ARGS}: exit ${rc}, ${summary}")
if(EXPECT STREQUAL "clean")
  if(NOT rc EQUAL 0 OR NOT summary STREQUAL "ERROR SUMMARY: 0 errors")
    message(FATAL_ERROR "expected a clean run:\n${out}\n${err}")
  endif()
else()
  if(summary STREQUAL "ERROR SUMMARY: 0 errors" OR summary STREQUAL "")
    message(FATAL_ERROR "expected ${TOOL} to report an error:\n${err}")
  endif()
  if(NOT err MATCHES "${MATCH}")
    message(FATAL_ERROR "${TOOL} reported, but not \"${MATCH}\":\n${err}")
  endif()
endif()
