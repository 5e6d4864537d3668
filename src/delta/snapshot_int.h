/*
 * delta/snapshot_int.h - delta-layer internals shared by snapshot.c,
 * checkpoint_read.c and commit.c: reading checkpoint files into actions,
 * and the table as a pending commit would leave it.
 *
 * Everything returned lives in the arena passed in; nothing is retained.
 */
#ifndef TARN_DELTA_SNAPSHOT_INT_H
#define TARN_DELTA_SNAPSHOT_INT_H

#include "delta/log.h"
#include "delta/snapshot.h"

/* Reads one Parquet checkpoint file (a classic checkpoint, one part of a
 * multi-part checkpoint, a UUID-named V2 checkpoint or a V2 sidecar) into
 * acts. With meta_only only protocol and metaData are read (the columns of
 * the file actions are not even decoded). */
TARN_MUST_CHECK tarn_status tarn_delta_checkpoint_read_parquet(const char *path, tarn_arena *a,
                                                               bool meta_only,
                                                               tarn_delta_actions *acts,
                                                               tarn_err *err);

/* The table as committing acts on top of base (NULL: a new table) would
 * leave it: base's files minus acts' removes plus its adds, the new
 * protocol/metaData when acts carry them, version base + 1. Only the files,
 * schema and metadata are filled (no tombstones, txns or commit info). The
 * file actions are shallow copies: the result is valid while base and acts
 * live. Destroy with tarn_delta_snapshot_destroy. */
TARN_MUST_CHECK tarn_status tarn_delta_snapshot_compose(const tarn_delta_snapshot *base,
                                                        const char *table_path,
                                                        const tarn_delta_actions *acts,
                                                        tarn_delta_snapshot **out, tarn_err *err);

#endif
