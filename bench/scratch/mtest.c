#define _GNU_SOURCE
#include <gosync.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdatomic.h>
/* Locks: gs_mutex (default), -DUSE_NSYNC, -DUSE_PTHREAD, or -DUSE_QMU (the waiter-queue
 * prototype in qmu.h, docs/PERFORMANCE.md "2026-11-27"). Every run checks mutual exclusion:
 * the shared word must have been incremented once per counted acquisition.
 * -DBENCH_LIKE: the lock and the data it guards on cache lines of their own and an rdtsc pair
 * around each lock call, as gosync-bench's mutex cells have (docs/PERFORMANCE.md, "2026-11-26,
 * afternoon"). Without it, the lock and the data may share a line and nothing is timed. */
#ifdef BENCH_LIKE
#define GS_LINE _Alignas(128)
#define TSC() __builtin_ia32_rdtsc()
#else
#define GS_LINE
#define TSC() 0ull
#endif
#ifdef USE_NSYNC
#include <nsync.h>
static GS_LINE nsync_mu nmu;
#define LOCK() nsync_mu_lock(&nmu)
#define UNLOCK() nsync_mu_unlock(&nmu)
#elif defined(USE_QMU)
#include "qmu.h"
static GS_LINE qmu qm;
#define LOCK() qmu_lock(&qm)
#define UNLOCK() qmu_unlock(&qm)
#elif defined(USE_PTHREAD)
static GS_LINE pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&pm)
#define UNLOCK() pthread_mutex_unlock(&pm)
#else
static GS_LINE gs_mutex mu;
#define LOCK() gs_mutex_lock(&mu)
#define UNLOCK() gs_mutex_unlock(&mu)
#endif
static GS_LINE volatile long shared[16];
/* -DCOUNT_HANDOVERS: count, under the lock, how often the holder is another thread than the
 * last one (a handover) and how often it runs on another CPU than the last holder (a
 * migration of the lock and the data it guards). */
#ifdef COUNT_HANDOVERS
static long last_holder = -1, handovers, last_cpu = -1, migrations;
#define NOTE_HOLDER(id)                                                                            \
    do {                                                                                           \
        long c_ = sched_getcpu();                                                                  \
        if ((id) != last_holder) { handovers++; last_holder = (id); }                              \
        if (c_ != last_cpu) { migrations++; last_cpu = c_; }                                       \
    } while (0)
#else
#define NOTE_HOLDER(id) ((void)0)
#endif
static GS_LINE volatile unsigned long long tsc_sink;
static atomic_int stop;
static int work;
static long counts[1024];
static double maxwait[1024];
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static void *run(void *a){
  long id=(long)a; if(!getenv("NOPIN")){cpu_set_t s; CPU_ZERO(&s); CPU_SET(id%2,&s); pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
  long n=0; double mw=0; volatile int sink=0;
  while(!atomic_load_explicit(&stop,memory_order_relaxed)){
    double t0 = (n & 63)==0 ? now() : 0;
    unsigned long long a0 = TSC();
    LOCK();
    unsigned long long a1 = TSC();
    shared[0]++;
    NOTE_HOLDER(id);
    UNLOCK();
    if (a1 - a0 > 1ull << 60) tsc_sink = a1;
    if (t0) { double w=now()-t0; if(w>mw) mw=w; }
    for(int i=0;i<work;i++) sink+=i;
    n++;
  }
  counts[id]=n; maxwait[id]=mw; return 0;
}
int main(int argc,char**argv){
  int nt=atoi(argv[1]); work=argc>2?atoi(argv[2]):0; double dur=argc>3?atof(argv[3]):1.0;
  pthread_t th[1024];
  for(long i=0;i<nt;i++) pthread_create(&th[i],0,run,(void*)i);
  struct timespec d={(time_t)dur,(long)((dur-(time_t)dur)*1e9)}; nanosleep(&d,0);
  atomic_store(&stop,1);
  long tot=0, mn=1L<<62, mx=0; double mw=0;
  for(int i=0;i<nt;i++){pthread_join(th[i],0); tot+=counts[i]; if(counts[i]<mn)mn=counts[i]; if(counts[i]>mx)mx=counts[i]; if(maxwait[i]>mw)mw=maxwait[i];}
  if (shared[0] != tot) { printf("MUTUAL EXCLUSION BROKEN: %ld increments, %ld acquisitions\n", (long)shared[0], tot); return 1; }
  printf("threads=%d work=%d ops/s=%.2fM min/mean=%.2f max/mean=%.2f maxwait(sampled)=%.1fms",nt,work,tot/dur/1e6,mn*(double)nt/tot,mx*(double)nt/tot,mw*1e3);
#ifdef COUNT_HANDOVERS
  printf(" handovers/s=%.0f migrations/s=%.0f", handovers/dur, migrations/dur);
#endif
  printf("\n");
  return 0;
}
