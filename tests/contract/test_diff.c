/*
 * tests/contract/test_diff.c - every contract diff rule, in both directions,
 * with its class and audience, and the exit-code verdict.
 */
#include "tarn_test.h"

#include "contract/diff.h"

static tarn_contract *load(const char *yaml)
{
    tarn_contract *c = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_ct_load_mem(yaml, strlen(yaml), "c.yaml", &c, &err) != TARN_OK) {
        char msg[1024];
        tarn_err_format(&err, msg, sizeof msg);
        fail_msg("load: %s\n%s", msg, yaml);
    }
    return c;
}

/* Diffs old -> new (YAML texts) into d. */
static void diff(const char *old_yaml, const char *new_yaml, tarn_ct_diff *d)
{
    tarn_contract *o = load(old_yaml), *n = load(new_yaml);
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_ct_diff_contracts(o, n, d, &err), TARN_OK);
    tarn_ct_destroy(o);
    tarn_ct_destroy(n);
}

static const tarn_ct_change *find(const tarn_ct_diff *d, const char *rule)
{
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->items[i].rule, rule))
            return &d->items[i];
    return NULL;
}

/* old -> new must report exactly one change `rule` with cls/aud (besides
 * the version line), and no other rule. */
static void expect_only(const char *old_yaml, const char *new_yaml, const char *rule,
                        tarn_diff_class cls, tarn_diff_audience aud)
{
    tarn_ct_diff d;
    diff(old_yaml, new_yaml, &d);
    const tarn_ct_change *c = find(&d, rule);
    if (!c) {
        for (int i = 0; i < d.n; i++)
            print_message("  got %s: %s\n", d.items[i].rule, d.items[i].message);
        fail_msg("no change '%s'", rule);
    }
    if (c->cls != cls || c->audience != aud)
        fail_msg("%s: class %s audience %s, want %s %s", rule, tarn_diff_class_name(c->cls),
                 tarn_diff_audience_name(c->audience), tarn_diff_class_name(cls),
                 tarn_diff_audience_name(aud));
    for (int i = 0; i < d.n; i++)
        if (strcmp(d.items[i].rule, rule) && strcmp(d.items[i].rule, "version_changed"))
            fail_msg("unexpected extra change %s: %s", d.items[i].rule, d.items[i].message);
    tarn_ct_diff_fini(&d);
}

static void expect_none(const char *old_yaml, const char *new_yaml)
{
    tarn_ct_diff d;
    diff(old_yaml, new_yaml, &d);
    if (d.n)
        fail_msg("expected no change, got %s: %s", d.items[0].rule, d.items[0].message);
    tarn_ct_diff_fini(&d);
}

#define HEAD "dataset: orders\nversion: 1.0.0\nschema:\n  - {name: id, type: bigint}\n"

static char *with(const char *col_yaml, char *buf, size_t cap)
{
    snprintf(buf, cap, HEAD "%s", col_yaml);
    return buf;
}

static void test_identical(void **state)
{
    (void)state;
    char a[2048];
    expect_none(with("  - {name: a, type: int, constraints: [min_value(0)]}\n", a, sizeof a), a);
    /* Whitespace in checks and order of tags do not matter. */
    expect_none("dataset: x\ntags: [a, b]\nquality: [\"row_count  >  0\"]\nschema: [{name: a, "
                "type: int}]\n",
                "dataset: x\ntags: [b, a]\nquality: [\"row_count > 0\"]\nschema: [{name: a, "
                "type: int}]\n");
}

static void test_columns(void **state)
{
    (void)state;
    char a[2048], b[2048];
    with("  - {name: coupon, type: string}\n", a, sizeof a);
    with("", b, sizeof b);
    expect_only(a, b, "column_removed", TARN_DIFF_BREAKING, TARN_AUD_READERS);
    expect_only(b, a, "column_added", TARN_DIFF_COMPATIBLE, TARN_AUD_NONE);
    with("  - {name: coupon, type: string, nullable: false}\n", a, sizeof a);
    expect_only(b, a, "column_added_not_null", TARN_DIFF_BREAKING, TARN_AUD_WRITERS);
    expect_only(a, b, "column_removed", TARN_DIFF_BREAKING, TARN_AUD_READERS);
    /* Same position, same type, new name: a rename. */
    with("  - {name: coupon, type: string}\n", a, sizeof a);
    with("  - {name: voucher, type: string}\n", b, sizeof b);
    expect_only(a, b, "column_renamed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    expect_only(b, a, "column_renamed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
}

static void type_pair(const char *from, const char *to, const char *rule, tarn_diff_class cls,
                      tarn_diff_audience aud)
{
    char a[2048], b[2048], ca[256], cb[256];
    snprintf(ca, sizeof ca, "  - {name: v, type: \"%s\"}\n", from);
    snprintf(cb, sizeof cb, "  - {name: v, type: \"%s\"}\n", to);
    expect_only(with(ca, a, sizeof a), with(cb, b, sizeof b), rule, cls, aud);
}

static void test_types(void **state)
{
    (void)state;
    static const char *const widen[][2] = {{"int32", "int64"},
                                           {"int8", "int16"},
                                           {"float", "double"},
                                           {"int", "double"},
                                           {"int32", "decimal(10,0)"},
                                           {"int64", "decimal(20,1)"},
                                           {"decimal(10,2)", "decimal(12,2)"},
                                           {"date", "timestamp"},
                                           {"date", "timestamp_ntz"}};
    for (size_t i = 0; i < TARN_ARRAY_LEN(widen); i++) {
        type_pair(widen[i][0], widen[i][1], "type_widened", TARN_DIFF_COMPATIBLE, TARN_AUD_NONE);
        type_pair(widen[i][1], widen[i][0], "type_narrowed", TARN_DIFF_BREAKING, TARN_AUD_WRITERS);
    }
    static const char *const other[][2] = {{"string", "int"},
                                           {"decimal(10,2)", "decimal(10,3)"},
                                           {"decimal(10,2)", "decimal(12,4)"},
                                           {"int64", "double"},
                                           {"int32", "decimal(9,0)"},
                                           {"timestamp", "timestamp_ntz"},
                                           {"binary", "string"},
                                           {"boolean", "int"}};
    for (size_t i = 0; i < TARN_ARRAY_LEN(other); i++) {
        type_pair(other[i][0], other[i][1], "type_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
        type_pair(other[i][1], other[i][0], "type_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    }
    assert_int_equal(
        tarn_ct_type_change(tarn_type_make(TARN_TYPE_INT32), tarn_type_make(TARN_TYPE_INT32)), 0);
}

static void test_nullability_pii_tags(void **state)
{
    (void)state;
    char a[2048], b[2048];
    with("  - {name: v, type: int}\n", a, sizeof a);
    with("  - {name: v, type: int, nullable: false}\n", b, sizeof b);
    expect_only(a, b, "nullable_to_not_null", TARN_DIFF_BREAKING, TARN_AUD_WRITERS);
    expect_only(b, a, "not_null_to_nullable", TARN_DIFF_WARNING, TARN_AUD_READERS);
    /* not_null written as a constraint is the same thing. */
    with("  - {name: v, type: int, constraints: [not_null]}\n", b, sizeof b);
    expect_only(a, b, "nullable_to_not_null", TARN_DIFF_BREAKING, TARN_AUD_WRITERS);
    expect_only(b, a, "not_null_to_nullable", TARN_DIFF_WARNING, TARN_AUD_READERS);
    /* A warn-only not_null keeps the column nullable: it is a constraint. */
    with("  - {name: v, type: int, constraints: [{rule: not_null, severity: warn}]}\n", b,
         sizeof b);
    expect_only(a, b, "constraint_added", TARN_DIFF_BREAKING, TARN_AUD_WRITERS);
    expect_only(b, a, "constraint_removed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    with("  - {name: v, type: int, pii: true}\n", b, sizeof b);
    expect_only(a, b, "pii_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    expect_only(b, a, "pii_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    with("  - {name: v, type: int, tags: [finance]}\n", b, sizeof b);
    expect_only(a, b, "tags_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    expect_only(b, a, "tags_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    with("  - {name: v, type: int, description: the value}\n", b, sizeof b);
    expect_only(a, b, "description_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    expect_only(b, a, "description_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
}

/* A constraint change from `from` to `to` on column type `type`. */
static void ct_pair(const char *type, const char *from, const char *to, const char *fwd_rule,
                    tarn_diff_class fwd_cls, tarn_diff_audience fwd_aud, const char *back_rule,
                    tarn_diff_class back_cls, tarn_diff_audience back_aud)
{
    char a[2048], b[2048], ca[512], cb[512];
    if (from)
        snprintf(ca, sizeof ca, "  - {name: v, type: \"%s\", constraints: [\"%s\"]}\n", type, from);
    else
        snprintf(ca, sizeof ca, "  - {name: v, type: \"%s\"}\n", type);
    snprintf(cb, sizeof cb, "  - {name: v, type: \"%s\", constraints: [\"%s\"]}\n", type, to);
    with(ca, a, sizeof a);
    with(cb, b, sizeof b);
    expect_only(a, b, fwd_rule, fwd_cls, fwd_aud);
    expect_only(b, a, back_rule, back_cls, back_aud);
}

static void test_constraints(void **state)
{
    (void)state;
    const tarn_diff_class B = TARN_DIFF_BREAKING, W = TARN_DIFF_WARNING;
    const tarn_diff_audience WR = TARN_AUD_WRITERS, RD = TARN_AUD_READERS;
    ct_pair("int", NULL, "min_value(0)", "constraint_added", B, WR, "constraint_removed", W, RD);
    ct_pair("string", NULL, "unique", "constraint_added", B, WR, "constraint_removed", W, RD);
    ct_pair("int", "min_value(0)", "min_value(5)", "constraint_tightened", B, WR,
            "constraint_relaxed", W, RD);
    ct_pair("decimal(10,2)", "max_value(100)", "max_value(99.50)", "constraint_tightened", B, WR,
            "constraint_relaxed", W, RD);
    ct_pair("date", "min_value('2020-01-01')", "min_value('2021-01-01')", "constraint_tightened", B,
            WR, "constraint_relaxed", W, RD);
    ct_pair("string", "min_length(2)", "min_length(3)", "constraint_tightened", B, WR,
            "constraint_relaxed", W, RD);
    ct_pair("string", "max_length(20)", "max_length(10)", "constraint_tightened", B, WR,
            "constraint_relaxed", W, RD);
    ct_pair("string", "allowed_values('a', 'b', 'c')", "allowed_values('a', 'b')",
            "constraint_tightened", B, WR, "constraint_relaxed", W, RD);
    /* Values both removed and added, or a new pattern: cannot be called a relaxation. */
    ct_pair("string", "allowed_values('a', 'b')", "allowed_values('a', 'c')", "constraint_changed",
            B, WR, "constraint_changed", B, WR);
    ct_pair("string", "regex('[a-z]+')", "regex('[a-z0-9]+')", "constraint_changed", B, WR,
            "constraint_changed", B, WR);
    /* Same values written differently: no change. */
    char a[2048], b[2048];
    with("  - {name: v, type: int, constraints: [\"allowed_values(1, 2)\"]}\n", a, sizeof a);
    with("  - {name: v, type: int, constraints: [\"allowed_values(2,1)\"]}\n", b, sizeof b);
    expect_none(a, b);
    /* Severity: warn -> fail tightens, fail -> warn relaxes. */
    with("  - {name: v, type: int, constraints: [{rule: min_value(0), severity: warn}]}\n", a,
         sizeof a);
    with("  - {name: v, type: int, constraints: [min_value(0)]}\n", b, sizeof b);
    expect_only(a, b, "constraint_tightened", B, WR);
    expect_only(b, a, "constraint_relaxed", W, RD);
}

static void test_dataset_level(void **state)
{
    (void)state;
    const char *base =
        "dataset: orders\nversion: 1.0.0\nowner: a@x\nsla: 4h\ndescription: d\n"
        "primary_key: id\nsequence_by: ts\ntags: [t]\n"
        "schema:\n  - {name: id, type: int}\n  - {name: k, type: int, nullable: false}\n"
        "  - {name: ts, type: timestamp}\n  - {name: u, type: timestamp}\n";
    char b[2048];
#define VARIANT(from, to)                                                                          \
    do {                                                                                           \
        const char *p_ = strstr(base, from);                                                       \
        snprintf(b, sizeof b, "%.*s%s%s", (int)(p_ - base), base, to, p_ + strlen(from));          \
    } while (0)
    VARIANT("dataset: orders", "dataset: purchases");
    expect_only(base, b, "dataset_renamed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    expect_only(b, base, "dataset_renamed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    VARIANT("primary_key: id", "primary_key: [id, k]");
    expect_only(base, b, "primary_key_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    expect_only(b, base, "primary_key_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    VARIANT("sequence_by: ts", "sequence_by: u");
    expect_only(base, b, "sequence_by_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    expect_only(b, base, "sequence_by_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    VARIANT("owner: a@x", "owner: b@x");
    expect_only(base, b, "owner_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    VARIANT("sla: 4h", "sla: 1h");
    expect_only(base, b, "sla_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    VARIANT("sla: 4h", "sla: 4 hours"); /* same duration */
    expect_none(base, b);
    VARIANT("description: d", "description: e");
    expect_only(base, b, "description_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    VARIANT("tags: [t]", "tags: [t, gold]");
    expect_only(base, b, "tags_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    expect_only(b, base, "tags_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    VARIANT("tags: [t]\n", "tags: [t]\nsource: {format: csv}\n");
    expect_only(base, b, "source_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    VARIANT("tags: [t]\n", "tags: [t]\ndelete_when: \"k = 0\"\n");
    expect_only(base, b, "delete_when_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    expect_only(b, base, "delete_when_changed", TARN_DIFF_WARNING, TARN_AUD_READERS);
    VARIANT("tags: [t]\n", "tags: [t]\nhistory: scd2\n");
    expect_only(base, b, "history_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    expect_only(b, base, "history_changed", TARN_DIFF_BREAKING, TARN_AUD_BOTH);
    VARIANT("tags: [t]\n", "tags: [t]\nevolution: fail\n");
    expect_only(base, b, "evolution_changed", TARN_DIFF_BREAKING, TARN_AUD_WRITERS);
    expect_only(b, base, "evolution_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    VARIANT("version: 1.0.0", "version: 0.9.0");
    expect_only(base, b, "version_decreased", TARN_DIFF_WARNING, TARN_AUD_BOTH);
    expect_only(b, base, "version_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
#undef VARIANT
}

static void test_checks(void **state)
{
    (void)state;
    const char *a = "dataset: x\nquality:\n  - row_count > 0\nschema: [{name: v, type: int}]\n";
    const char *b = "dataset: x\nquality:\n  - row_count > 0\n  - null_count(v) = 0\n"
                    "schema: [{name: v, type: int}]\n";
    expect_only(a, b, "check_added", TARN_DIFF_INFO, TARN_AUD_NONE);
    expect_only(b, a, "check_removed", TARN_DIFF_INFO, TARN_AUD_NONE);
    const char *c = "dataset: x\nquality:\n  - row_count > 100\nschema: [{name: v, type: int}]\n";
    expect_only(a, c, "check_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    expect_only(c, a, "check_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    const char *d = "dataset: x\nquality:\n  - {check: row_count > 0, severity: warn}\n"
                    "schema: [{name: v, type: int}]\n";
    expect_only(a, d, "check_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
    /* Named checks pair by name even when their text changes completely. */
    const char *e = "dataset: x\nquality:\n  - {name: volume, check: row_count > 0}\n"
                    "schema: [{name: v, type: int}]\n";
    const char *f = "dataset: x\nquality:\n  - {name: volume, check: \"anomaly(row_count)\"}\n"
                    "schema: [{name: v, type: int}]\n";
    expect_only(e, f, "check_changed", TARN_DIFF_INFO, TARN_AUD_NONE);
}

static void test_files_and_verdict(void **state)
{
    (void)state;
    tarn_contract *c = load(HEAD);
    tarn_ct_diff d;
    tarn_err err;
    assert_int_equal(tarn_ct_diff_added(c, &d, &err), TARN_OK);
    assert_string_equal(d.items[0].rule, "contract_added");
    assert_int_equal(d.items[0].cls, TARN_DIFF_INFO);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_BOTH, true), 0);
    tarn_ct_diff_fini(&d);
    assert_int_equal(tarn_ct_diff_deleted(c, &d, &err), TARN_OK);
    assert_string_equal(d.items[0].rule, "contract_deleted");
    assert_int_equal(d.items[0].cls, TARN_DIFF_BREAKING);
    assert_int_equal(d.items[0].audience, TARN_AUD_BOTH);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_READERS, false), 1);
    tarn_ct_diff_fini(&d);
    tarn_ct_destroy(c);

    /* A removed column breaks readers only. */
    char a[2048], b[2048];
    with("  - {name: coupon, type: string}\n", a, sizeof a);
    with("", b, sizeof b);
    diff(a, b, &d);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_BOTH, false), 1);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_READERS, false), 1);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_WRITERS, false), 0);
    tarn_ct_diff_fini(&d);
    /* ... unless the major version goes up. */
    char b2[2048];
    snprintf(b2, sizeof b2,
             "dataset: orders\nversion: 2.0.0\nschema:\n  - {name: id, type: bigint}\n");
    diff(a, b2, &d);
    assert_true(d.major_bump);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_BOTH, true), 0);
    tarn_ct_diff_fini(&d);
    /* A warning fails only with fail_on_warning, and only for its audience. */
    with("  - {name: v, type: int, nullable: false}\n", a, sizeof a);
    with("  - {name: v, type: int}\n", b, sizeof b);
    diff(a, b, &d);
    assert_int_equal(d.warnings, 1);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_BOTH, false), 0);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_BOTH, true), 1);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_WRITERS, true), 0);
    tarn_ct_diff_fini(&d);
    /* A minor bump does not excuse a breaking change. */
    with("  - {name: v, type: int}\n", a, sizeof a);
    snprintf(b, sizeof b,
             "dataset: orders\nversion: 1.1.0\nschema:\n  - {name: id, type: "
             "bigint}\n  - {name: v, type: string}\n");
    diff(a, b, &d);
    assert_false(d.major_bump);
    assert_int_equal(tarn_ct_diff_verdict(&d, TARN_AUD_BOTH, false), 1);
    assert_string_equal(tarn_diff_class_name(d.items[1].cls), "breaking");
    assert_string_equal(tarn_diff_audience_name(d.items[1].audience), "both");
    tarn_ct_diff_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),   cmocka_unit_test(test_columns),
        cmocka_unit_test(test_types),       cmocka_unit_test(test_nullability_pii_tags),
        cmocka_unit_test(test_constraints), cmocka_unit_test(test_dataset_level),
        cmocka_unit_test(test_checks),      cmocka_unit_test(test_files_and_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
