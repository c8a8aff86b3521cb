/* bench/results/devvm-queue/adopt/mixed_stress.c: tests/test_mutex.c's TestStressMixed64 as a
 * standalone program, for the load figures of docs/PERFORMANCE.md ("gs_mutex on the queue",
 * "Under CPU load"). Build against a release build of gosync:
 *   cc -O2 -Iinclude mixed_stress.c build/release/libgosync.a -lpthread -o mixed_stress
 * Run: ./mixed_stress [THREADS=64] [REPS=5] [LOOPS=5000] [TIMED=1]; beside two busy loops:
 *   (timeout 100 sh -c 'while :; do :; done' &) twice, then the program;
 * pinned to one CPU: taskset -c 0 ./mixed_stress 64 1. LOOPS: acquisitions per thread;
 * TIMED=0 turns the timed calls (a quarter of them) into plain locks. It prints wall time and
 * the timed-out attempts; it compares gs_mutex builds with each other, not with pthread.
 * ../../devvm-queue/load/run.sh runs the comparisons of docs/PERFORMANCE.md's stop-23 section. */
#include <gosync.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static gs_mutex mu; static volatile long counter; static long loops = 5000; static int timed = 1;
static _Atomic long timeouts;
static double now(void){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec+t.tv_nsec*1e-9;}
static void *worker(void *p){ int index=(int)(long)p; unsigned seed=(unsigned)index*2654435761u+1;
 for(long i=0;i<loops;i++){ seed=seed*1103515245u+12345u;
  switch((seed>>16)%4){case 0: if(!gs_mutex_trylock(&mu)) gs_mutex_lock(&mu); break;
  case 1: if(!timed){ gs_mutex_lock(&mu); break; }
   while(!gs_mutex_lock_timeout(&mu,(int64_t)((seed>>8)%50000))) timeouts++;
   break;
  default: gs_mutex_lock(&mu);}
  long v=counter; if((seed&63)==0) sched_yield(); counter=v+1; gs_mutex_unlock(&mu);} return 0;}
int main(int argc,char**argv){ int n=argc>1?atoi(argv[1]):64; int reps=argc>2?atoi(argv[2]):5;
 if(argc>3) loops=atol(argv[3]);
 if(argc>4) timed=atoi(argv[4]);
 for(int r=0;r<reps;r++){ counter=0; timeouts=0; pthread_t t[256]; double t0=now();
  for(int i=0;i<n;i++) pthread_create(&t[i],0,worker,(void*)(long)i);
  for(int i=0;i<n;i++) pthread_join(t[i],0);
  printf("%d threads: %.3f s, counter %ld (want %ld), timeouts %ld\n", n, now()-t0, counter, n*loops, (long)timeouts);}
}
