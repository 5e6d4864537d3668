/*
 * include/tarn/tarn.h - the public face of libtarn: include this one header
 * (with -I<repo>/include -I<repo>/src) and link libtarn.a plus its Debian
 * libraries (zstd, lz4, snappy, zlib, brotli, jansson, yaml, sqlite3, pthread,
 * m).
 *
 * It gathers the layer headers an embedding program uses: errors and
 * memory (base), column vectors and batches (column), NDJSON/CSV readers
 * (io), Parquet files (parquet), Delta tables (delta), predicates (exec)
 * and data contracts (contract).
 * Each header documents ownership and error behaviour of its functions.
 */
#ifndef TARN_TARN_H
#define TARN_TARN_H

#include "base/arena.h"
#include "base/status.h"
#include "column/cast.h"
#include "column/render.h"
#include "column/scalar.h"
#include "column/vec.h"
#include "contract/contract.h"
#include "contract/lint.h"
#include "delta/delete.h"
#include "delta/history.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "delta/vacuum.h"
#include "delta/write.h"
#include "exec/predicate.h"
#include "io/reader.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

#endif
