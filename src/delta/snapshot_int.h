/*
 * delta/snapshot_int.h - delta-layer internals shared by snapshot.c and
 * checkpoint_read.c: reading checkpoint files into actions.
 *
 * Everything returned lives in the arena passed in; nothing is retained.
 */
#ifndef TARN_DELTA_SNAPSHOT_INT_H
#define TARN_DELTA_SNAPSHOT_INT_H

#include "delta/log.h"

/* Reads one Parquet checkpoint file (a classic checkpoint, one part of a
 * multi-part checkpoint, a UUID-named V2 checkpoint or a V2 sidecar) into
 * acts. With meta_only only protocol and metaData are read (the columns of
 * the file actions are not even decoded). */
TARN_MUST_CHECK tarn_status tarn_delta_checkpoint_read_parquet(const char *path, tarn_arena *a,
                                                               bool meta_only,
                                                               tarn_delta_actions *acts,
                                                               tarn_err *err);

#endif
