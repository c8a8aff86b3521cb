# tests/tsa/check.cmake: compiles one source with clang's thread-safety analysis as errors and
# checks the outcome. Run by CTest:
#   cmake -DCC=<clang> -DINCLUDE=<dir> -DSRC=<file> -DEXPECT=pass|fail [-DMATCH=<regex>]
#         [-DDEFS=-DGS_DEBUG] -P check.cmake
# EXPECT=fail also requires exactly one error, whose text matches MATCH: the source must be
# rejected for the reason it was written to show, not for another.
execute_process(
  COMMAND ${CC} -std=c11 -fsyntax-only -Wthread-safety -Werror -I${INCLUDE} ${DEFS} ${SRC}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(EXPECT STREQUAL "pass")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "expected ${SRC} to compile cleanly, got:\n${err}")
  endif()
  message(STATUS "accepted: ${SRC} ${DEFS}")
else()
  if(rc EQUAL 0)
    message(FATAL_ERROR "expected clang -Wthread-safety to reject ${SRC}; it compiled")
  endif()
  if(NOT err MATCHES "${MATCH}")
    message(FATAL_ERROR "${SRC} was rejected, but not with \"${MATCH}\":\n${err}")
  endif()
  if(NOT err MATCHES "\n1 error generated")
    message(FATAL_ERROR "${SRC}: expected exactly one error:\n${err}")
  endif()
  string(REGEX MATCH "error: [^\n]*" first "${err}")
  message(STATUS "rejected as expected: ${SRC} ${DEFS}: ${first}")
endif()
