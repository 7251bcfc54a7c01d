#ifndef CLMDB_SHIM_H
#define CLMDB_SHIM_H
#include <lmdb.h>

/* Asks for the cache line at `address` ahead of use (a hint: never faults, whatever the address). */
static inline void clmdb_prefetch(const void *address) { __builtin_prefetch(address, 0, 0); }
#endif
