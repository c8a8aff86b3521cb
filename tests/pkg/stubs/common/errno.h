#pragma once
extern int *__errno_location_stub(void);
#define errno (*__errno_location_stub())
#define EINTR 4
#define EFAULT 14
#define ENOMEM 12
#define EAGAIN 35
#define ETIMEDOUT 60
#if defined(__OpenBSD__)
#define ECANCELED 88
#else
#define ECANCELED 85
#endif
