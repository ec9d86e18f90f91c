#ifndef SWIFTBOKEH_CEPOLL_SHIM_H
#define SWIFTBOKEH_CEPOLL_SHIM_H
/* Linux readiness and wake-up APIs that the toolchain's Glibc module does not export. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <malloc.h>

/* Returns free heap pages to the system (glibc keeps them otherwise). */
static inline int CEpoll_malloc_trim(void) { return malloc_trim(0); }

/* accept4 is declared only under _GNU_SOURCE; declare the Linux function ourselves. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
static inline int CEpoll_accept4(int fd, int flags) { return accept4(fd, 0, 0, flags); }
#endif
