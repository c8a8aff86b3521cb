#pragma once
/* POSIX threads: what gosync's sources use. */
#include <sys/types.h>
typedef struct pthread_once_stub {
    int state;
    void *mutex;
} pthread_once_t;
#define PTHREAD_ONCE_INIT                                                                          \
    { 0, 0 }
typedef int pthread_key_t;
typedef void *pthread_t;
int pthread_once(pthread_once_t *once, void (*init)(void));
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_setspecific(pthread_key_t key, const void *value);
void *pthread_getspecific(pthread_key_t key);
pthread_t pthread_self(void);
