#pragma once
/* _umtx_op(2) */
#include <sys/types.h>
#include <time.h>
struct _umtx_time {
    struct timespec _timeout;
    uint32_t _flags;
    uint32_t _clockid;
};
#define UMTX_ABSTIME 0x01
#define UMTX_OP_WAIT_UINT_PRIVATE 15
#define UMTX_OP_WAKE_PRIVATE 16
int _umtx_op(void *obj, int op, u_long val, void *uaddr, void *uaddr2);
