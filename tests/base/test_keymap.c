/*
 * tests/base/test_keymap.c - the byte-string hash map: insert, find,
 * values, growth past many keys, keys that are prefixes of each other.
 */
#include "tarn_test.h"

#include "base/keymap.h"

static void test_keymap(void **state)
{
    (void)state;
    tarn_keymap m;
    tarn_keymap_init(&m);
    assert_null(tarn_keymap_find(&m, "a", 1)); /* empty map */
    int64_t *v;
    bool is_new;
    assert_int_equal(tarn_keymap_upsert(&m, "ab", 2, &v, &is_new), TARN_OK);
    assert_true(is_new);
    assert_int_equal(*v, -1);
    *v = 7;
    assert_int_equal(tarn_keymap_upsert(&m, "a", 1, &v, &is_new), TARN_OK);
    assert_true(is_new);
    *v = 8;
    assert_int_equal(tarn_keymap_upsert(&m, "ab", 2, &v, &is_new), TARN_OK);
    assert_false(is_new);
    assert_int_equal(*v, 7);
    assert_int_equal(*tarn_keymap_find(&m, "a", 1), 8);
    assert_null(tarn_keymap_find(&m, "abc", 3));
    assert_null(tarn_keymap_find(&m, "", 0));
    /* Many keys: growth keeps every key and value. */
    char k[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(k, sizeof k, "key-%d", i);
        assert_int_equal(tarn_keymap_upsert(&m, k, (size_t)n, &v, &is_new), TARN_OK);
        assert_true(is_new);
        *v = i;
    }
    assert_int_equal(m.n, 100002);
    for (int i = 0; i < 100000; i += 997) {
        int n = snprintf(k, sizeof k, "key-%d", i);
        int64_t *f = tarn_keymap_find(&m, k, (size_t)n);
        assert_non_null(f);
        assert_int_equal(*f, i);
    }
    tarn_keymap_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_keymap)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
