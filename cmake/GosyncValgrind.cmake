# cmake/GosyncValgrind.cmake: with GOSYNC_VALGRIND=ON, every test and example also runs under
# helgrind and DRD (CTest label "valgrind"; `make test-valgrind`), which must report no error,
# and planted bugs (tests/test_valgrind.c) must be reported. Included at the end of the top
# CMakeLists.txt, once every target exists.
find_program(GOSYNC_VALGRIND_EXE valgrind)
if(NOT GOSYNC_VALGRIND_EXE)
  message(WARNING "GOSYNC_VALGRIND: no valgrind found; the valgrind tests are not registered")
  return()
endif()

# Valgrind runs one thread at a time, tens of times slower: stress loops shrink.
set(gosync_vg_env GS_TEST_SCALE=0.01 GS_TEST_TIMEOUT=1200)
set(gosync_vg_script ${PROJECT_SOURCE_DIR}/tests/valgrind_expect.cmake)
# gosync's own atomics (valgrind/gosync.supp, for users too) and the tests' own quirks.
set(gosync_vg_supp "--suppressions=${PROJECT_SOURCE_DIR}/valgrind/gosync.supp"
                   "--suppressions=${PROJECT_SOURCE_DIR}/tests/valgrind-tests.supp")
string(REPLACE ";" "|" gosync_vg_supp "${gosync_vg_supp}")

# The programs built on gs_mutex and gs_rwmutex, whose operations src/annotate.c reports.
# test_once, test_waitgroup and test_cond are not listed: Once, WaitGroup and Cond hand over
# memory through their own atomics, which helgrind and DRD cannot see, so each needs
# ANNOTATE_HAPPENS_BEFORE/AFTER at its synchronizes-with points before it can be checked.
# examples/memsync is left out too: 200000 hand-overs between two threads take hours under
# valgrind's one-thread-at-a-time scheduler.
foreach(t test_mutex test_rwmutex test_locker test_debug test_profile bank cache)
  if(NOT TARGET ${t})
    continue()
  endif()
  foreach(tool helgrind drd)
    add_test(NAME ${tool}_${t}
      COMMAND ${CMAKE_COMMAND} -DVALGRIND=${GOSYNC_VALGRIND_EXE} -DTOOL=${tool}
              "-DOPTIONS=${gosync_vg_supp}" -DEXE=$<TARGET_FILE:${t}> -DEXPECT=clean
              -P ${gosync_vg_script})
    set_tests_properties(${tool}_${t} PROPERTIES LABELS valgrind TIMEOUT 1800
      ENVIRONMENT "${gosync_vg_env}")
  endforeach()
endforeach()

# Planted bugs. DRD has no lock-order checker: only helgrind is asked about the inversion.
if(TARGET test_valgrind)
  set(planted
    "helgrind|inversion|lock order \"0x[0-9A-Fa-f]+ before 0x[0-9A-Fa-f]+\" violated"
    "helgrind|double_unlock|unlocked a not-locked lock"
    "helgrind|race|Possible data race during [a-z]+ of size 8"
    "helgrind|clean|"
    "helgrind|gorules|"
    "drd|double_unlock|Reader-writer lock not locked by calling thread"
    "drd|race|Conflicting [a-z]+ by thread"
    "drd|clean|"
    "drd|gorules|")
  foreach(p ${planted})
    string(REPLACE "|" ";" p "${p}")
    list(GET p 0 tool)
    list(GET p 1 what)
    list(GET p 2 match)
    set(expect report)
    if(what STREQUAL "clean" OR what STREQUAL "gorules")
      set(expect clean)
    endif()
    add_test(NAME ${tool}_planted_${what}
      COMMAND ${CMAKE_COMMAND} -DVALGRIND=${GOSYNC_VALGRIND_EXE} -DTOOL=${tool}
              "-DOPTIONS=${gosync_vg_supp}" -DEXE=$<TARGET_FILE:test_valgrind> -DARGS=${what}
              -DEXPECT=${expect}
              "-DMATCH=${match}" -P ${gosync_vg_script})
    set_tests_properties(${tool}_planted_${what} PROPERTIES LABELS valgrind TIMEOUT 600)
  endforeach()
endif()
