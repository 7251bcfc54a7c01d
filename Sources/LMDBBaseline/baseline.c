#include "LMDBBaseline.h"
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double lmdb_baseline_append(const char *path, uint64_t count, size_t value_size, uint64_t batch, int sync) {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    int rc = mdb_env_create(&env);
    if (rc) return -rc;
    size_t map = (size_t)(count * (value_size + 64) * 2) + (64u << 20);
    mdb_env_set_mapsize(env, map);
    // The journal's own environment flags for each mode, so the comparison measures only the journal's work.
    unsigned flags = MDB_NOTLS | (sync ? 0 : (MDB_NOSYNC | MDB_NOMETASYNC | MDB_WRITEMAP));
    rc = mdb_env_open(env, path, flags, 0644);
    if (rc) { mdb_env_close(env); return -rc; }
    rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc) { mdb_env_close(env); return -rc; }
    rc = mdb_dbi_open(txn, NULL, 0, &dbi);
    mdb_txn_commit(txn);
    if (rc) { mdb_env_close(env); return -rc; }

    unsigned char *value = malloc(value_size);
    memset(value, 0xAB, value_size);
    double start = now_seconds();
    uint64_t seq = 1;
    while (seq <= count) {
        rc = mdb_txn_begin(env, NULL, 0, &txn);
        if (rc) break;
        for (uint64_t i = 0; i < batch && seq <= count; i++, seq++) {
            uint64_t be = __builtin_bswap64(seq);
            MDB_val key = {8, &be};
            MDB_val data = {value_size, value};
            rc = mdb_put(txn, dbi, &key, &data, MDB_APPEND);
            if (rc) break;
        }
        if (rc) { mdb_txn_abort(txn); break; }
        rc = mdb_txn_commit(txn);
        if (rc) break;
    }
    double elapsed = now_seconds() - start;
    free(value);
    mdb_env_close(env);
    return rc ? -rc : elapsed;
}

double lmdb_baseline_scan(const char *path, int passes, uint64_t *records) {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    MDB_cursor *cursor;
    int rc = mdb_env_create(&env);
    if (rc) return -rc;
    // MDB_NOLOCK: no lock file, so this second environment in the journal's own process cannot drop the
    // journal's fcntl locks when it closes (LMDB's rule against opening one file twice in a process).
    // Safe here because nothing writes while the baseline walks.
    rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0644);
    if (rc) { mdb_env_close(env); return -rc; }
    double best = 0;
    volatile uint64_t checksum = 0;
    for (int pass = 0; pass < passes && rc == 0; pass++) {
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
        if (rc) break;
        rc = mdb_dbi_open(txn, NULL, 0, &dbi);
        if (!rc) rc = mdb_cursor_open(txn, dbi, &cursor);
        if (rc) { mdb_txn_abort(txn); break; }
        MDB_val key, data;
        uint64_t count = 0, sum = 0;
        double start = now_seconds();
        int got = mdb_cursor_get(cursor, &key, &data, MDB_FIRST);
        while (got == 0) {
            // The record kind (header bytes 2-3), so the walk reads each value as a decoder would.
            sum += ((const unsigned char *)data.mv_data)[2];
            count++;
            got = mdb_cursor_get(cursor, &key, &data, MDB_NEXT);
        }
        double elapsed = now_seconds() - start;
        checksum += sum;
        mdb_cursor_close(cursor);
        mdb_txn_abort(txn);
        if (got != MDB_NOTFOUND) { rc = got; break; }
        *records = count;
        if (best == 0 || elapsed < best) best = elapsed;
    }
    mdb_env_close(env);
    return rc ? -rc : best;
}
