# tests/e2e/libtarn_embed.sh - libtarn.a and include/tarn/tarn.h are enough
# to embed tarn: compile a small program against them, write a table with
# the tarn binary, read it back through the library.
. "$(dirname "$0")/lib.inc"

[ -f "$BUILD/libtarn.a" ] || fail "no $BUILD/libtarn.a"
# A sanitizer build's library needs the sanitizer runtimes at link time.
SAN=""
nm "$BUILD/libtarn.a" 2>/dev/null | grep -q __asan_ && SAN="-fsanitize=address,undefined"
cat >embed.c <<'C'
#include "tarn/tarn.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    tarn_err err;
    tarn_delta_snapshot *snap;
    tarn_delta_at at = {.kind = TARN_DELTA_AT_LATEST};
    tarn_delta_scan *scan;
    if (argc == 3) { /* tarn_embed CONTRACT.yaml --dataset */
        tarn_contract *c;
        if (tarn_ct_load_file(argv[1], &c, &err) != TARN_OK)
            return 2;
        printf("%s %d\n", c->dataset, c->n_columns);
        tarn_ct_destroy(c);
        return 0;
    }
    if (argc != 2 || tarn_delta_snapshot_load(argv[1], &at, &snap, &err) != TARN_OK)
        return 2;
    if (tarn_delta_scan_open(snap, NULL, &scan, &err) != TARN_OK)
        return 2;
    tarn_buf out = TARN_BUF_INIT;
    tarn_batch *b;
    while (tarn_delta_scan_next(scan, &b, &err) == TARN_OK && b)
        if (tarn_render_ndjson(&out, b) != TARN_OK)
            return 2;
    fputs(out.data ? out.data : "", stdout);
    tarn_buf_fini(&out);
    tarn_delta_scan_close(scan);
    tarn_delta_snapshot_destroy(snap);
    return 0;
}
C
cc -std=c11 -D_GNU_SOURCE -I"$REPO/include" -I"$REPO/src" embed.c "$BUILD/libtarn.a" \
    -lzstd -llz4 -lsnappy -lz -lbrotlidec -lbrotlienc -ljansson -lyaml -lsqlite3 -lpthread -lm $SAN \
    -o embed || fail "cannot build against libtarn.a"
printf '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n' >in.ndjson
run 0 write t in.ndjson --schema "id bigint, name string"
./embed t >got || fail "embedded program failed"
printf '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n' >want
cmp -s want got || { diff want got >&2; fail "embedded read differs"; }
printf 'dataset: orders\nschema: [{name: id, type: bigint}, {name: name, type: string}]\n' >c.yaml
[ "$(./embed c.yaml --dataset)" = "orders 2" ] || fail "embedded contract load failed"
echo ok
