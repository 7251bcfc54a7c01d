#ifndef LMDB_BASELINE_H
#define LMDB_BASELINE_H
#include <stddef.h>
#include <stdint.h>

/// Raw LMDB append: `count` values of `value_size` bytes under big-endian uint64 keys 1..count, with
/// MDB_APPEND, `batch` puts per transaction. `sync` != 0 syncs each commit. Returns the elapsed
/// seconds, or a negative LMDB error code. The directory `path` must exist and be empty.
double lmdb_baseline_append(const char *path, uint64_t count, size_t value_size, uint64_t batch, int sync);

#endif
