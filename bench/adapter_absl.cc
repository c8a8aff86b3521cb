// bench/adapter_absl.cc: abseil's absl::Mutex, the one peer that needs C++.
//
// absl::Mutex is constructed in place by init and destroyed by destroy, so the harness can
// keep treating every lock as a block of bytes.
//
// Debian's libabsl is built with abseil's debug default for deadlock detection (on), which
// records every Lock in a lock graph and costs ~20 ns per uncontended pair on a 2.6 GHz EPYC.
// Release builds of abseil (NDEBUG) have it off, and gosync is measured without GS_DEBUG, so
// the adapter turns it off: production settings on both sides.
#include <new>

#include "absl/synchronization/mutex.h"

#include "bench.h"

namespace {
void absl_init(absl::Mutex *l) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    new (l) absl::Mutex();
}
void absl_destroy(absl::Mutex *l) { l->~Mutex(); }
} // namespace

extern "C" {
GSB_MUTEX_ADAPTER(gsb_absl_mutex, "absl", "abseil", false, absl::Mutex, absl_init(l),
                  absl_destroy(l), l->Lock(), l->Unlock(), l->TryLock())
GSB_RW_ADAPTER(gsb_absl_rw, "absl_rw", "abseil", false, absl::Mutex, absl_init(l), absl_destroy(l),
               l->Lock(), l->Unlock(), l->ReaderLock(), l->ReaderUnlock(), l->TryLock())
}
