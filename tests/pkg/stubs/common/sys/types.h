#pragma once
#include <stddef.h>
#include <stdint.h>
typedef long time_t;
typedef long ssize_t;
typedef unsigned long u_long;
typedef int pid_t;
