/*
 * tests/pipeline/test_refine.c - Bronze records judged against a contract:
 * casts, constraints, not-null, invalid JSON, wrong shapes, CSV rows; exact
 * good rows and quarantine reasons and rule ids.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "contract/contract.h"
#include "pipeline/bronze.h"
#include "pipeline/refine.h"

typedef struct rec {
    const char *raw, *format, *header, *delim, *perr;
} rec;

static tarn_batch *bronze_batch(const tarn_schema *s, const rec *recs, int n)
{
    tarn_batch *b = tarn_batch_create(s);
    assert_non_null(b);
    for (int i = 0; i < n; i++) {
        const char *strs[] = {recs[i].raw,  recs[i].format, recs[i].header, recs[i].delim,
                              recs[i].perr, "/in/f",        NULL,           NULL,
                              NULL,         "batch-1"};
        for (int c = 0; c < 10; c++) {
            tarn_vec *v = b->cols[c];
            if (c == 6 || c == 7)
                assert_int_equal(tarn_vec_append_i64(v, c == 6 ? i + 1 : 0), TARN_OK);
            else if (c == 8)
                assert_int_equal(tarn_vec_append_i64(v, 1000), TARN_OK);
            else if (strs[c])
                assert_int_equal(tarn_vec_append_bytes(v, strs[c], (int64_t)strlen(strs[c])),
                                 TARN_OK);
            else
                assert_int_equal(tarn_vec_append_null(v), TARN_OK);
        }
    }
    b->n_rows = n;
    return b;
}

static char *render(const tarn_batch *b)
{
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_render_ndjson(&out, b), TARN_OK);
    char *s = strdup(out.data ? out.data : "");
    tarn_buf_fini(&out);
    return s;
}

static const char contract[] =
    "dataset: orders\nversion: 2.1.0\nprimary_key: order_id\n"
    "schema:\n"
    "  - {name: order_id, type: string}\n"
    "  - {name: user_id, type: bigint, nullable: false}\n"
    "  - name: amount\n    type: decimal(10,2)\n    constraints: [min_value(0)]\n"
    "  - name: status\n    type: string\n"
    "    constraints: [\"allowed_values('new', 'paid')\", {rule: max_length(3), severity: warn}]\n";

static void test_json_records(void **state)
{
    (void)state;
    tarn_contract *c;
    tarn_err err;
    assert_int_equal(tarn_ct_load_mem(contract, strlen(contract), "c.yaml", &c, &err), TARN_OK);
    tarn_refine *r;
    assert_int_equal(tarn_refine_create(c, 5000, &r, &err), TARN_OK);
    tarn_schema *bs = tarn_bronze_schema();
    const rec recs[] = {
        {"{\"order_id\":\"o1\",\"user_id\":1,\"amount\":\"10.50\",\"status\":\"new\",\"x\":1}",
         "ndjson", NULL, NULL, NULL},
        {"{\"order_id\":\"o2\",\"user_id\":2,\"amount\":\"abc\",\"status\":\"new\"}", "ndjson",
         NULL, NULL, NULL},
        {"{\"order_id\":\"o3\",\"user_id\":3,\"amount\":\"-5.00\",\"status\":\"bogus\"}", "ndjson",
         NULL, NULL, NULL},
        {"{\"order_id\":null,\"user_id\":null,\"amount\":1}", "ndjson", NULL, NULL, NULL},
        {"{\"order_id\":\"o5\",", "ndjson", NULL, NULL, "invalid JSON: column 17: value missing"},
        {"42", "json", NULL, NULL, NULL},
        {"{\n  \"order_id\": \"o7\",\n  \"user_id\": 7,\n  \"status\": \"paid\"\n}", "json", NULL,
         NULL, NULL},
    };
    tarn_batch *b = bronze_batch(bs, recs, 7);
    tarn_refine_out *o;
    assert_int_equal(tarn_refine_batch(r, b, &o, &err), TARN_OK);
    char *good = render(o->good);
    assert_string_equal(good, "{\"order_id\":\"o1\",\"user_id\":1,\"amount\":\"10.50\",\"status\":"
                              "\"new\",\"_rescued_data\":\"{\\\"x\\\":1}\"}\n"
                              "{\"order_id\":\"o7\",\"user_id\":7,\"amount\":null,\"status\":"
                              "\"paid\",\"_rescued_data\":null}\n");
    assert_int_equal(o->n_rescued, 1);
    /* Drift: x unknown once; amount missing in o7 and the null-key row; a
     * number where a string goes (o1's "x" is unknown, not drift). */
    bool saw_x = false, saw_amount = false;
    for (int i = 0; i < o->n_drift; i++) {
        if (!strcmp(o->drift[i].name, "x")) {
            saw_x = true;
            assert_int_equal(o->drift[i].unknown, 1);
        }
        if (!strcmp(o->drift[i].name, "amount")) {
            saw_amount = true;
            assert_int_equal(o->drift[i].missing, 1); /* o7 */
        }
    }
    assert_true(saw_x && saw_amount);
    free(good);
    assert_int_equal(o->good->n_rows, 2);
    assert_int_equal(o->good_src[0], 0);
    assert_int_equal(o->good_src[1], 6);
    assert_int_equal(o->n_warned, 1); /* "paid" is longer than 3: warn only */
    tarn_batch *q = o->quarantine;
    assert_int_equal(q->n_rows, 5);
    const char *want[][2] = {
        {"amount: 'abc' is not decimal(10,2)", "amount.type"},
        {"amount: -5.00 violates min_value(0); status: 'bogus' violates allowed_values('new', "
         "'paid')",
         "amount.min_value,status.allowed_values"},
        {"order_id: null violates not_null; user_id: null violates not_null",
         "order_id.not_null,user_id.not_null"},
        {"invalid JSON: column 17: value missing", "_record.json"},
        {"not a JSON object", "_record.shape"},
    };
    for (int i = 0; i < 5; i++) {
        int32_t len;
        const char *reason = (const char *)tarn_vec_get_bytes(q->cols[8], i, &len);
        if (want[i][0] && (strlen(want[i][0]) != (size_t)len || memcmp(reason, want[i][0], len)))
            fail_msg("row %d reason: got '%.*s', want '%s'", i, (int)len, reason, want[i][0]);
        const char *rules = (const char *)tarn_vec_get_bytes(q->cols[9], i, &len);
        if (strlen(want[i][1]) != (size_t)len || memcmp(rules, want[i][1], len))
            fail_msg("row %d rules: got '%.*s', want '%s'", i, (int)len, rules, want[i][1]);
        const char *ver = (const char *)tarn_vec_get_bytes(q->cols[10], i, &len);
        assert_int_equal(len, 5);
        assert_memory_equal(ver, "2.1.0", 5);
        assert_int_equal(tarn_vec_get_i64(q->cols[11], i), 5000);
    }
    int32_t len;
    const char *raw = (const char *)tarn_vec_get_bytes(q->cols[0], 4, &len);
    assert_memory_equal(raw, "42", 2);
    assert_int_equal(tarn_vec_get_i64(q->cols[5], 0), 2); /* _source_line kept */
    tarn_batch_destroy(b);
    tarn_schema_destroy(bs);
    tarn_refine_destroy(r);
    tarn_ct_destroy(c);
}

static void test_csv_records(void **state)
{
    (void)state;
    tarn_contract *c;
    tarn_err err;
    assert_int_equal(tarn_ct_load_mem(contract, strlen(contract), "c.yaml", &c, &err), TARN_OK);
    tarn_refine *r;
    assert_int_equal(tarn_refine_create(c, 0, &r, &err), TARN_OK);
    tarn_schema *bs = tarn_bronze_schema();
    const char *h = "status;order_id;user_id;amount";
    const rec recs[] = {
        {"new;o1;1;2.50", "csv", h, ";", NULL},
        {"\"p\naid\";o2;2;3", "csv", h, ";", NULL},
        {"new;o3;x;3", "csv", h, ";", NULL},
        {"{\"order_id\":\"o4\",\"user_id\":4,\"status\":\"new\"}", "ndjson", NULL, NULL, NULL},
        {"paid;o5;5;0", "csv", h, ";", NULL},
    };
    tarn_batch *b = bronze_batch(bs, recs, 5);
    tarn_refine_out *o;
    assert_int_equal(tarn_refine_batch(r, b, &o, &err), TARN_OK);
    char *good = render(o->good);
    assert_string_equal(
        good, "{\"order_id\":\"o1\",\"user_id\":1,\"amount\":\"2.50\",\"status\":\"new\","
              "\"_rescued_data\":null}\n"
              "{\"order_id\":\"o4\",\"user_id\":4,\"amount\":null,\"status\":\"new\","
              "\"_rescued_data\":null}\n"
              "{\"order_id\":\"o5\",\"user_id\":5,\"amount\":\"0.00\",\"status\":\"paid\","
              "\"_rescued_data\":null}\n");
    free(good);
    assert_int_equal(o->good_src[2], 4);
    assert_int_equal(o->quarantine->n_rows, 2);
    int32_t len;
    const char *reason = (const char *)tarn_vec_get_bytes(o->quarantine->cols[8], 0, &len);
    assert_int_equal(strncmp(reason, "status: 'p\naid' violates allowed_values", 39), 0);
    reason = (const char *)tarn_vec_get_bytes(o->quarantine->cols[8], 1, &len);
    assert_memory_equal(reason, "user_id: 'x' is not int64", 25);
    /* The same object handles the next batch from scratch. */
    assert_int_equal(tarn_refine_batch(r, b, &o, &err), TARN_OK);
    assert_int_equal(o->good->n_rows, 3);
    assert_int_equal(o->quarantine->n_rows, 2);
    tarn_batch_destroy(b);
    tarn_schema_destroy(bs);
    tarn_refine_destroy(r);
    tarn_ct_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_records),
        cmocka_unit_test(test_csv_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
