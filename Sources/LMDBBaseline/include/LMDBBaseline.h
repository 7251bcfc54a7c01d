#ifndef LMDB_BASELINE_H
#define LMDB_BASELINE_H
#include <stddef.h>
#include <stdint.h>

/// Raw LMDB append: `count` values of `value_size` bytes under big-endian uint64 keys 1..count, with
/// MDB_APPEND, `batch` puts per transaction. `sync` != 0 syncs each commit; otherwise the environment
/// is opened as a `fast` journal is (MDB_NOSYNC, MDB_NOMETASYNC, MDB_WRITEMAP). Returns the elapsed
/// seconds, or a negative LMDB error code. The directory `path` must exist and be empty.
double lmdb_baseline_append(const char *path, uint64_t count, size_t value_size, uint64_t batch, int sync);

/// Raw LMDB cursor walk over the journal at `path` (read-only, no lock file; nothing may write meanwhile): MDB_FIRST then MDB_NEXT to the end,
/// touching each value's first bytes, `passes` times. Stores the record count in `records` and returns
/// the best pass's seconds, or a negative LMDB error code. The floor under any scan of that journal.
double lmdb_baseline_scan(const char *path, int passes, uint64_t *records);

#endif
