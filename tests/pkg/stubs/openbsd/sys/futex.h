#pragma once
/* futex(2) */
#include <stdint.h>
struct timespec;
int futex(volatile uint32_t *uaddr, int op, int val, const struct timespec *timeout,
          volatile uint32_t *uaddr2);
#define FUTEX_WAIT 1
#define FUTEX_WAKE 2
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
