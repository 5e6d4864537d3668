/*
 * tests/catalog/test_gold_store.c - Gold build records in LAKE/tarn.db: a
 * save replaces the model's record and its inputs whole, names match
 * without case, a missing model is not found.
 */
#include "tarn_test.h"

#include "catalog/gold_store.h"

static void test_save_load(void **state)
{
    (void)state;
    char dir[512];
    tt_tmpdir("gold-store", dir, sizeof dir);
    tarn_catalog *c;
    tarn_err err;
    assert_int_equal(tarn_catalog_open(dir, &c, &err), TARN_OK);
    tarn_arena *a = tarn_arena_create(1024);
    tarn_cat_gold_build got;
    bool found = true;
    assert_int_equal(tarn_cat_gold_build_load(c, "daily", a, &got, &found, &err), TARN_OK);
    assert_false(found);
    const tarn_cat_gold_input in1[] = {{"silver.orders", 3}, {"gold.dim_date", 0}};
    tarn_cat_gold_build b = {.model = "Daily",
                             .file_hash = UINT64_C(0xfedcba9876543210),
                             .gold_version = 7,
                             .built_at_us = 123,
                             .inputs = in1,
                             .n_inputs = 2};
    assert_int_equal(tarn_cat_gold_build_save(c, &b, &err), TARN_OK);
    assert_int_equal(tarn_cat_gold_build_load(c, "daily", a, &got, &found, &err), TARN_OK);
    assert_true(found);
    assert_string_equal(got.model, "Daily");
    assert_true(got.file_hash == UINT64_C(0xfedcba9876543210)); /* all 64 bits survive */
    assert_int_equal(got.gold_version, 7);
    assert_int_equal(got.built_at_us, 123);
    assert_int_equal(got.n_inputs, 2);
    assert_string_equal(got.inputs[0].table, "silver.orders");
    assert_int_equal(got.inputs[0].version, 3);
    assert_string_equal(got.inputs[1].table, "gold.dim_date");
    /* A new build replaces the record and every input. */
    const tarn_cat_gold_input in2[] = {{"silver.orders", 4}};
    b.model = "daily";
    b.gold_version = 8;
    b.inputs = in2;
    b.n_inputs = 1;
    assert_int_equal(tarn_cat_gold_build_save(c, &b, &err), TARN_OK);
    assert_int_equal(tarn_cat_gold_build_load(c, "DAILY", a, &got, &found, &err), TARN_OK);
    assert_true(found);
    assert_int_equal(got.gold_version, 8);
    assert_int_equal(got.n_inputs, 1);
    assert_int_equal(got.inputs[0].version, 4);
    /* A model without inputs. */
    b.model = "constants";
    b.n_inputs = 0;
    assert_int_equal(tarn_cat_gold_build_save(c, &b, &err), TARN_OK);
    assert_int_equal(tarn_cat_gold_build_load(c, "constants", a, &got, &found, &err), TARN_OK);
    assert_true(found);
    assert_int_equal(got.n_inputs, 0);
    tarn_arena_destroy(a);
    tarn_catalog_close(c);
    tt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
