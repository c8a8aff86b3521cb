# tests/verify.cmake: the verification suite (issue 8; docs/VERIFICATION.md), included by
# tests/CMakeLists.txt after gosync_test() is defined.
gosync_test(test_rwlock_stall)
gosync_test(test_faults)
if(GOSYNC_FAULT_INJECT)
  target_compile_definitions(test_faults PRIVATE GOSYNC_FAULT_INJECT)
endif()

# ---- lock torture (tests/torture.c): a few seconds here; `make torture` runs it for 30 s ----
add_executable(torture torture.c)
target_link_libraries(torture PRIVATE gosync_static)
target_compile_options(torture PRIVATE ${GOSYNC_WARNINGS} -Wno-missing-prototypes)
target_compile_definitions(torture PRIVATE _GNU_SOURCE)
# Once/WaitGroup/Cond ops join the mix when their implementations are in the tree.
foreach(p once waitgroup cond)
  if(EXISTS ${PROJECT_SOURCE_DIR}/src/${p}.c)
    string(TOUPPER ${p} P)
    target_compile_definitions(torture PRIVATE GS_TORTURE_${P})
  endif()
endforeach()
if(GOSYNC_SANITIZE)
  set(GOSYNC_TORTURE_WATCHDOG 120)
else()
  set(GOSYNC_TORTURE_WATCHDOG 30)
endif()
add_test(NAME torture COMMAND torture --seconds 3 --watchdog ${GOSYNC_TORTURE_WATCHDOG})
add_test(NAME torture_hammer COMMAND torture --hammer --threads 16 --loops 5000
         --watchdog ${GOSYNC_TORTURE_WATCHDOG})
# gs_mutex's watch runs only with 4 or more CPUs; --watch turns it on here, whatever the count.
add_test(NAME torture_watch COMMAND torture --watch --seconds 3 --watchdog ${GOSYNC_TORTURE_WATCHDOG})
# The same harnesses against a lock that does nothing (locktorture's lock_busted) must see a
# violation: proof that they can. TSan would stop at the first race the busted lock lets in,
# before the harness's own checks speak, so its reports are off for these two.
add_test(NAME torture_busted COMMAND torture --busted --seconds 2)
add_test(NAME torture_hammer_busted COMMAND torture --hammer --busted --threads 16 --loops 2000)
set(GOSYNC_BUSTED_ENV ${GOSYNC_TEST_ENV})
if(GOSYNC_SANITIZE MATCHES "thread")
  list(FILTER GOSYNC_BUSTED_ENV EXCLUDE REGEX "^TSAN_OPTIONS")
  list(APPEND GOSYNC_BUSTED_ENV "TSAN_OPTIONS=report_bugs=0")
endif()
set_tests_properties(torture torture_hammer torture_watch PROPERTIES ENVIRONMENT "${GOSYNC_TEST_ENV}" TIMEOUT 600)
set_tests_properties(torture_busted torture_hammer_busted PROPERTIES
  ENVIRONMENT "${GOSYNC_BUSTED_ENV}" TIMEOUT 600
  PASS_REGULAR_EXPRESSION "torture: FAILED: .*violations [1-9]")
