#pragma once
#include <stddef.h>
_Noreturn void abort(void);
void *malloc(size_t n);
void free(void *p);
