# tests/profile_pprof.cmake: the contention profile written by GOSYNC_PROFILE is read by
# `go tool pprof -top <binary> <file>`, which names the waiting functions. Run by CTest:
#   cmake -DEXE=<test_profile> -DGO=<go> -DOUT=<file> -P profile_pprof.cmake
file(REMOVE ${OUT})
execute_process(COMMAND ${CMAKE_COMMAND} -E env GOSYNC_PROFILE=${OUT} ${EXE} --workload
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT EXISTS ${OUT})
  message(FATAL_ERROR "${EXE} --workload failed (${rc}) or wrote no ${OUT}")
endif()
execute_process(COMMAND ${GO} tool pprof -top ${EXE} ${OUT}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "go tool pprof -top:\n${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "go tool pprof failed (${rc})")
endif()
foreach(want "Type: delay" "Showing nodes accounting for" " contender\n" " contending_reader\n")
  string(FIND "${out}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "go tool pprof -top output lacks \"${want}\"")
  endif()
endforeach()
