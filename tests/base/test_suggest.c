/*
 * tests/base/test_suggest.c - edit distance and "did you mean" picks.
 */
#include "tarn_test.h"

#include "base/suggest.h"

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(tarn_edit_distance("", ""), 0);
    assert_int_equal(tarn_edit_distance("abc", ""), 3);
    assert_int_equal(tarn_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(tarn_edit_distance("Amount", "amount"), 0); /* case-insensitive */
    assert_int_equal(tarn_edit_distance("decmal", "decimal"), 1);
    char long_name[80];
    memset(long_name, 'a', 70);
    long_name[70] = '\0';
    assert_int_equal(tarn_edit_distance(long_name, "a"), 99);
}

static void test_suggest(void **state)
{
    (void)state;
    static const char *const keys[] = {"name", "type", "nullable", "constraints", NULL};
    assert_string_equal(tarn_suggest("constraint", keys, 4), "constraints");
    assert_string_equal(tarn_suggest("nulable", keys, 4), "nullable");
    assert_string_equal(tarn_suggest("typ", keys, 4), "type");
    assert_null(tarn_suggest("colour", keys, 4));
    assert_null(tarn_suggest("ab", keys, 4)); /* short words need a close match */
    assert_null(tarn_suggest("x", keys, 0));
    static const char *const ties[] = {"abcd", "abce"};
    assert_string_equal(tarn_suggest("abcf", ties, 2), "abcd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_suggest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
