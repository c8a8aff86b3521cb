/* examples/bank.c: the bank account of the text, with Go's `mu.Lock(); defer mu.Unlock()`.
 *
 * The exported deposit, balance and withdraw each take the lock with a guard, which unlocks
 * when the function returns, by whichever return. withdraw needs to deposit while holding
 * the lock; calling the exported deposit there would lock mu a second time, and gs_mutex is
 * not re-entrant on purpose: inside withdraw the balance is momentarily negative (the
 * invariant "balance >= 0" is broken while the lock is held), and a re-entrant lock would let
 * deposit run on that broken state as if all were well. So, as the text does, the work is
 * split into deposit_locked, which requires the lock held (clang -Wthread-safety checks
 * that), and the exported functions, which take it.
 *
 * Many threads deposit and withdraw at once; the program checks that the final balance is
 * exactly what the successful operations add up to and that no thread ever saw a negative
 * balance, and says so.
 */
#include <gosync.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static gs_mutex mu;
static long balance GS_GUARDED_BY(mu);

/* Requires mu held. */
static void deposit_locked(long amount) GS_REQUIRES(mu) { balance += amount; }

static void deposit(long amount) GS_EXCLUDES(mu) {
    GS_GUARD(&mu);
    deposit_locked(amount);
}

static long get_balance(void) GS_EXCLUDES(mu) {
    GS_GUARD(&mu);
    return balance;
}

/* Withdraws amount if the funds allow; returns whether it did. */
static bool withdraw(long amount) GS_EXCLUDES(mu) {
    GS_GUARD(&mu);
    deposit_locked(-amount); /* the invariant may be broken from here ... */
    if (balance < 0) {
        deposit_locked(amount); /* ... and is restored before the guard unlocks */
        return false;
    }
    return true;
}

#define THREADS 16
#define OPS 20000

static atomic_long deposited, withdrawn, negative_seen;

static void *customer(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
    for (int i = 0; i < OPS; i++) {
        seed = seed * 1103515245u + 12345u;
        long amount = (long)(seed >> 16) % 100 + 1;
        if (seed & 0x100) {
            deposit(amount);
            atomic_fetch_add(&deposited, amount);
        } else if (withdraw(amount)) {
            atomic_fetch_add(&withdrawn, amount);
        }
        if (get_balance() < 0)
            atomic_fetch_add(&negative_seen, 1);
    }
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, customer, (void *)(uintptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);

    long expect = atomic_load(&deposited) - atomic_load(&withdrawn);
    long got = get_balance();
    printf("bank: %d customers x %d operations: deposited %ld, withdrew %ld\n", THREADS, OPS,
           atomic_load(&deposited), atomic_load(&withdrawn));
    printf("bank: final balance %ld (expected %ld), negative balances seen: %ld\n", got, expect,
           atomic_load(&negative_seen));
    if (got != expect || atomic_load(&negative_seen) != 0) {
        printf("bank: FAILED\n");
        return 1;
    }
    printf("bank: OK\n");
    return 0;
}
