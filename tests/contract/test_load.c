/*
 * tests/contract/test_load.c - the contract loader: the founding example,
 * every key, and every error path naming file:line:col.
 */
#include "tarn_test.h"

#include "contract/constraint.h"
#include "contract/contract.h"

static tarn_contract *load_ok(const char *yaml)
{
    tarn_contract *c = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    tarn_status st = tarn_ct_load_mem(yaml, strlen(yaml), "orders.yaml", &c, &err);
    if (st != TARN_OK) {
        char msg[1024];
        tarn_err_format(&err, msg, sizeof msg);
        fail_msg("unexpected load error: %s", msg);
    }
    return c;
}

/* Loading yaml must fail with exactly `want` (as the CLI prints it). */
static void expect_error(const char *yaml, const char *want)
{
    tarn_contract *c = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    tarn_status st = tarn_ct_load_mem(yaml, strlen(yaml), "orders.yaml", &c, &err);
    assert_int_not_equal(st, TARN_OK);
    assert_null(c);
    char msg[1024];
    tarn_err_format(&err, msg, sizeof msg);
    if (strcmp(msg, want))
        fail_msg("error\n  got:  %s\n  want: %s", msg, want);
}

static const char founding[] = "dataset: \"orders_global\"\n"
                               "owner: \"checkout_team@company.com\"\n"
                               "sla: \"4 hours\"\n"
                               "quality:\n"
                               "  - check: \"row_count > 0\"\n"
                               "  - check: \"null_percentage(user_id) < 0.01\"\n"
                               "schema:\n"
                               "  - name: \"order_id\"\n"
                               "    type: \"string\"\n"
                               "    primary_key: true\n"
                               "  - name: \"amount\"\n"
                               "    type: \"decimal(10,2)\"\n"
                               "    pii: false\n"
                               "    constraints: [\"min_value(0)\"]\n";

static void test_founding_example(void **state)
{
    (void)state;
    tarn_contract *c = load_ok(founding);
    assert_string_equal(c->dataset, "orders_global");
    assert_string_equal(c->owner, "checkout_team@company.com");
    assert_string_equal(c->sla, "4 hours");
    assert_int_equal(c->sla_seconds, 4 * 3600);
    assert_null(c->version);
    assert_int_equal(c->version_major, 0);
    assert_int_equal(c->n_checks, 2);
    assert_string_equal(c->checks[1].text, "null_percentage(user_id) < 0.01");
    assert_int_equal(c->checks[1].severity, TARN_CT_FAIL);
    assert_int_equal(c->checks[1].loc.line, 6);
    assert_int_equal(c->n_columns, 2);
    assert_string_equal(c->columns[0].name, "order_id");
    assert_int_equal(c->columns[0].type.id, TARN_TYPE_STRING);
    assert_true(c->columns[0].primary_key);
    assert_false(c->columns[0].nullable);
    assert_int_equal(c->columns[1].type.id, TARN_TYPE_DECIMAL);
    assert_int_equal(c->columns[1].type.precision, 10);
    assert_int_equal(c->columns[1].type.scale, 2);
    assert_true(c->columns[1].nullable);
    assert_false(c->columns[1].pii);
    assert_int_equal(c->columns[1].n_constraints, 1);
    assert_int_equal(c->columns[1].constraints[0].kind, TARN_CT_MIN_VALUE);
    assert_string_equal(c->columns[1].constraints[0].id, "amount.min_value");
    assert_int_equal(c->columns[1].constraints[0].loc.line, 14);
    assert_int_equal(c->columns[1].constraints[0].loc.col, 19);
    assert_int_equal(c->n_primary_key, 1);
    assert_string_equal(c->primary_key[0], "order_id");
    assert_int_equal(c->schema->n_fields, 2);
    assert_false(c->schema->fields[0].nullable);
    assert_int_equal(tarn_ct_find_column(c, "amount"), 1);
    assert_int_equal(tarn_ct_find_column(c, "user_id"), -1);
    tarn_ct_destroy(c);
}

static const char full[] = "dataset: orders\n"
                           "version: 2.1.0\n"
                           "description: Orders from every shop\n"
                           "owner: checkout@example.com\n"
                           "sla: 30m\n"
                           "tags: [sales, tier1]\n"
                           "primary_key: [shop, order_id]\n"
                           "sequence_by: updated_at\n"
                           "source:\n"
                           "  format: csv\n"
                           "  path: landing/orders/*.csv.gz\n"
                           "  compression: gzip\n"
                           "  delimiter: \"\\t\"\n"
                           "  header: true\n"
                           "  options: {quote: \"'\", null_value: NA}\n"
                           "quality:\n"
                           "  - row_count > 0\n"
                           "  - check: duplicate_count(shop, order_id) = 0\n"
                           "    name: no_dupes\n"
                           "    description: keys are unique\n"
                           "    severity: warn\n"
                           "schema:\n"
                           "  - name: shop\n"
                           "    type: int\n"
                           "  - name: order_id\n"
                           "    type: bigint\n"
                           "  - name: email\n"
                           "    type: string\n"
                           "    nullable: true\n"
                           "    pii: true\n"
                           "    tags: [contact]\n"
                           "    description: buyer e-mail\n"
                           "    constraints:\n"
                           "      - regex('[^@]+@[^@]+')\n"
                           "      - rule: max_length(200)\n"
                           "        severity: warn\n"
                           "  - name: status\n"
                           "    type: string\n"
                           "    constraints: [not_null, \"allowed_values('new', 'paid')\"]\n"
                           "  - {name: updated_at, type: timestamp, nullable: false}\n"
                           "  - {name: day, type: date}\n"
                           "  - {name: price, type: float64}\n"
                           "  - {name: ok, type: boolean}\n"
                           "  - {name: raw, type: binary}\n";

static void test_full_contract(void **state)
{
    (void)state;
    tarn_contract *c = load_ok(full);
    assert_string_equal(c->version, "2.1.0");
    assert_int_equal(c->version_major, 2);
    assert_int_equal(c->version_minor, 1);
    assert_int_equal(c->version_patch, 0);
    assert_string_equal(c->description, "Orders from every shop");
    assert_int_equal(c->sla_seconds, 1800);
    assert_int_equal(c->n_tags, 2);
    assert_string_equal(c->tags[1], "tier1");
    assert_int_equal(c->n_primary_key, 2);
    assert_string_equal(c->primary_key[1], "order_id");
    assert_true(c->columns[0].primary_key);
    assert_false(c->columns[0].nullable);
    assert_false(c->columns[1].nullable);
    assert_int_equal(c->columns[0].type.id, TARN_TYPE_INT32);
    assert_int_equal(c->columns[1].type.id, TARN_TYPE_INT64);
    assert_string_equal(c->sequence_by, "updated_at");
    assert_true(c->has_source);
    assert_string_equal(c->source.format, "csv");
    assert_string_equal(c->source.compression, "gzip");
    assert_int_equal(c->source.delimiter, '\t');
    assert_int_equal(c->source.header, 1);
    assert_int_equal(c->source.n_options, 2);
    assert_string_equal(c->source.options[1].key, "null_value");
    assert_string_equal(c->source.options[1].value, "NA");
    assert_int_equal(c->n_checks, 2);
    assert_string_equal(c->checks[0].text, "row_count > 0");
    assert_string_equal(c->checks[1].name, "no_dupes");
    assert_int_equal(c->checks[1].severity, TARN_CT_WARN);
    const tarn_ct_column *email = &c->columns[2];
    assert_true(email->nullable && email->nullable_explicit && email->pii);
    assert_string_equal(email->tags[0], "contact");
    assert_int_equal(email->n_constraints, 2);
    assert_int_equal(email->constraints[0].kind, TARN_CT_REGEX);
    assert_int_equal(email->constraints[1].kind, TARN_CT_MAX_LENGTH);
    assert_int_equal(email->constraints[1].severity, TARN_CT_WARN);
    assert_int_equal(email->constraints[1].loc.line, 35);
    assert_false(c->columns[3].nullable); /* not_null */
    assert_int_equal(c->columns[3].n_constraints, 2);
    assert_false(c->columns[4].nullable);
    assert_int_equal(c->columns[4].type.id, TARN_TYPE_TIMESTAMP);
    assert_int_equal(c->columns[5].type.id, TARN_TYPE_DATE);
    assert_int_equal(c->columns[6].type.id, TARN_TYPE_FLOAT64);
    assert_int_equal(c->columns[7].type.id, TARN_TYPE_BOOL);
    assert_int_equal(c->columns[8].type.id, TARN_TYPE_BINARY);
    assert_int_equal(c->schema->n_fields, 9);
    tarn_ct_destroy(c);
}

static void test_load_file(void **state)
{
    (void)state;
    char dir[512], path[600];
    tt_tmpdir("contract", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/orders.yaml", dir);
    tt_write_file(path, founding);
    tarn_contract *c = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_ct_load_file(path, &c, &err), TARN_OK);
    assert_string_equal(c->path, path);
    tarn_ct_destroy(c);
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    assert_int_not_equal(tarn_ct_load_file(path, &c, &err), TARN_OK);
    assert_null(c);
    assert_int_equal(err.code, TARN_ERR_NOT_FOUND);
    tt_rmrf(dir);
}

static void test_errors_types(void **state)
{
    (void)state;
    expect_error("dataset: orders\nschema:\n  - name: amount\n    type: decmal(10,2)\n",
                 "orders.yaml:4:11: unknown type 'decmal(10,2)' (did you mean 'decimal(10,2)'?)");
    expect_error("dataset: orders\nschema:\n  - name: amount\n    type: flurb\n",
                 "orders.yaml:4:11: unknown type 'flurb'");
    expect_error("dataset: orders\nschema:\n  - name: amount\n    type: decimal(40,2)\n",
                 "orders.yaml:4:11: invalid type 'decimal(40,2)': "
                 "decimal precision 40 is out of range 1..38");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: [int]\n",
                 "orders.yaml:4:11: type: expected a value, got a list");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: uint64\n",
                 "orders.yaml:4:11: type 'uint64' is not supported in contracts");
    expect_error("dataset: orders\nschema:\n  - name: a\n",
                 "orders.yaml:3:5: column 'a': 'type' missing");
    expect_error("dataset: orders\nschema:\n  - type: int\n",
                 "orders.yaml:3:5: column: 'name' missing");
}

static void test_errors_keys(void **state)
{
    (void)state;
    expect_error("dataset: orders\nowners: me\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:1: unknown key 'owners' in contract (did you mean 'owner'?)");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: int\n    constraint: [x]\n",
                 "orders.yaml:5:5: unknown key 'constraint' in column (did you mean "
                 "'constraints'?)");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: int\n    colour: red\n",
                 "orders.yaml:5:5: unknown key 'colour' in column");
    expect_error("dataset: orders\ndataset: other\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:1: duplicate key 'dataset' in contract");
    expect_error("dataset: orders\nschema:\n  - {name: a, type: int}\n  - {name: a, type: int}\n",
                 "orders.yaml:4:5: duplicate column 'a' (first at line 3)");
    expect_error("schema: [{name: a, type: int}]\n",
                 "orders.yaml:1:1: 'dataset' missing (the dataset's name, e.g. dataset: orders)");
    expect_error("dataset: orders\n", "orders.yaml:1:1: 'schema' missing (the list of columns)");
    expect_error("dataset: orders\nschema: []\n",
                 "orders.yaml:2:9: schema: at least one column is needed");
    expect_error("dataset: orders\nschema: {a: int}\n",
                 "orders.yaml:2:9: schema: expected a list, got a mapping");
    expect_error("dataset: orders-eu\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:1:10: dataset name 'orders-eu' may contain only letters, digits "
                 "and '_'");
    expect_error("dataset: orders\nsource: {format: xml}\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:18: source format: unknown value 'xml'");
    expect_error("dataset: orders\nsource: {formt: csv}\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:10: unknown key 'formt' in source (did you mean 'format'?)");
    expect_error("dataset: orders\nsource: {delimiter: ';;'}\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:21: delimiter: expected one character (or tab), got ';;'");
    expect_error("dataset: orders\n[a]: 1\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:1: contract: keys must be plain names, got a list");
}

static void test_errors_values(void **state)
{
    (void)state;
    expect_error("dataset: orders\nversion: 1.2\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:10: version '1.2' is not a semantic version (MAJOR.MINOR.PATCH, "
                 "e.g. 1.4.0)");
    expect_error("dataset: orders\nsla: 4 hourz\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:6: sla: '4 hourz' is not a duration (examples: 90s, 30m, 4h, 4 "
                 "hours, 2d, 1w)");
    expect_error("dataset: orders\nschema:\n  - {name: a, type: int, nullable: yes}\n",
                 "orders.yaml:3:36: nullable: expected true or false, got 'yes'");
    expect_error("dataset: orders\nschema:\n  - {name: a, type: int, primary_key: true, "
                 "nullable: true}\n",
                 "orders.yaml:3:5: column 'a' is a primary key and cannot be nullable");
    expect_error("dataset: orders\nprimary_key: [id, shop]\nschema:\n  - {name: id, type: int}\n",
                 "orders.yaml:2:19: primary_key: unknown column 'shop'");
    expect_error("dataset: orders\nprimary_key: idd\nschema:\n  - {name: id, type: int}\n",
                 "orders.yaml:2:14: primary_key: unknown column 'idd' (did you mean 'id'?)");
    expect_error("dataset: orders\nprimary_key: [id, id]\nschema:\n  - {name: id, type: int}\n",
                 "orders.yaml:2:19: primary_key: column 'id' listed twice");
    expect_error("dataset: orders\nprimary_key: id\nschema:\n  - {name: id, type: int}\n"
                 "  - {name: b, type: int, primary_key: true}\n",
                 "orders.yaml:5:5: column 'b' has primary_key: true but is not in the dataset's "
                 "primary_key (line 2)");
    expect_error("dataset: orders\nsequence_by: ts\nschema:\n  - {name: id, type: int}\n",
                 "orders.yaml:2:14: sequence_by: unknown column 'ts'");
    expect_error("dataset: orders\nsequence_by: f\nschema:\n  - {name: f, type: boolean}\n",
                 "orders.yaml:2:14: sequence_by: column 'f' is not orderable (boolean)");
    expect_error("dataset: orders\nschema:\n  - {name: a, type: int, description: }\n",
                 "orders.yaml:3:39: description: value missing");
}

static void test_errors_constraints_checks(void **state)
{
    (void)state;
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: int\n"
                 "    constraints: [not_null, min_val(0)]\n",
                 "orders.yaml:5:29: unknown constraint 'min_val' (did you mean 'min_value'?)");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: int\n"
                 "    constraints: [min_value(0), min_value(1)]\n",
                 "orders.yaml:5:33: duplicate constraint min_value on column 'a'");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: int\n"
                 "    constraints: [{rule: not_null, severity: sometimes}]\n",
                 "orders.yaml:5:46: severity: expected warn or fail, got 'sometimes'");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: int\n"
                 "    constraints: [{severity: warn}]\n",
                 "orders.yaml:5:19: constraint: 'rule' missing (e.g. rule: \"min_value(0)\")");
    expect_error("dataset: orders\nschema:\n  - name: a\n    type: int\n    nullable: true\n"
                 "    constraints: [not_null]\n",
                 "orders.yaml:6:19: column 'a' says nullable: true and not_null");
    expect_error("dataset: orders\nquality:\n  - severity: warn\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:3:5: quality check: 'check' missing (e.g. check: \"row_count > 0\")");
    expect_error("dataset: orders\nquality:\n  - {check: row_count > 0, name: x}\n"
                 "  - {check: row_count < 9, name: x}\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:4:13: duplicate check name 'x'");
}

static void test_errors_more(void **state)
{
    (void)state;
    expect_error("dataset: 9lives\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:1:10: dataset name '9lives' must start with a letter or '_'");
    expect_error("dataset: x\nschema:\n  - {name: \"a\\tb\", type: int}\n",
                 "orders.yaml:3:12: column name contains a control character");
    expect_error("dataset: x\nprimary_key: []\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:14: primary_key: at least one column is needed");
    expect_error("dataset: x\nsource: {options: {a: 1, a: 2}}\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:26: duplicate source option 'a'");
    expect_error("dataset: x\nprimary_key: a\nhistory: scd2\nschema: [{name: a, type: int}, "
                 "{name: is_current, type: boolean}]\n",
                 "orders.yaml:4:32: column 'is_current' is reserved by history: scd2");
    expect_error("dataset: x\nhistory: full\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:10: history: unknown value 'full'");
    expect_error("dataset: x\nevolution: ignore\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:12: evolution: unknown value 'ignore'");
    expect_error("dataset: x\nsource: {header: maybe}\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:18: header: expected true or false, got 'maybe'");
    expect_error("dataset: x\nschema:\n  - name: a\n    type: int\n"
                 "    constraints: [min_value(10), max_value(5)]\n",
                 "orders.yaml:5:34: column 'a': max_value(5) is below min_value(10), so no value "
                 "can pass");
    expect_error("dataset: x\nschema:\n  - name: a\n    type: string\n"
                 "    constraints: [max_length(2), min_length(3)]\n",
                 "orders.yaml:5:19: column 'a': max_length(2) is below min_length(3), so no value "
                 "can pass");
    expect_error("dataset: x\nquality:\n  - null_count(a) < x\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:3:21: check 'null_count(a) < x': expected a number after '<', got "
                 "'x'");
    expect_error("dataset: x\nquality:\n  - check: 'nul_count(a) < 1'\n"
                 "schema: [{name: a, type: int}]\n",
                 "orders.yaml:3:13: check 'nul_count(a) < 1': unknown metric 'nul_count' (did you "
                 "mean 'null_count'?)");
    expect_error("dataset: x\nquality: {check: row_count > 0}\nschema: [{name: a, type: int}]\n",
                 "orders.yaml:2:10: quality: expected a list, got a mapping");
    expect_error("dataset: x\nschema: [{name: a, type: int, tags: {a: b}}]\n",
                 "orders.yaml:2:37: tags: expected a list, got a mapping");
    char name[400];
    memset(name, 'n', 300);
    name[300] = '\0';
    char yaml[600];
    snprintf(yaml, sizeof yaml, "dataset: x\nschema: [{name: %s, type: int}]\n", name);
    expect_error(yaml, "orders.yaml:2:17: column name longer than 255 bytes");
    /* Larger than a contract may be: refused before parsing. */
    size_t big = ((size_t)16 << 20) + 1;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, ' ', big);
    huge[big] = '\0';
    tarn_contract *c = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_ct_load_mem(huge, big, "huge.yaml", &c, &err), TARN_ERR_LIMIT);
    assert_string_equal(err.msg, "huge.yaml: contract larger than 16 MiB");
    free(huge);
}

static void test_errors_yaml(void **state)
{
    (void)state;
    expect_error("", "orders.yaml: empty contract: expected a mapping with 'dataset' and 'schema'");
    expect_error(
        "- a\n- b\n",
        "orders.yaml:1:1: a contract is a mapping with 'dataset' and 'schema', got a list");
    expect_error("dataset: orders\nschema: [{name: a, type: int}\n",
                 "orders.yaml:3:1: YAML syntax error: did not find expected ',' or ']' while "
                 "parsing a flow sequence");
    expect_error("dataset: \"orders\nschema: []\n",
                 "orders.yaml:3:1: YAML syntax error: found unexpected end of stream while "
                 "scanning a quoted scalar");
    expect_error("dataset: a\nschema: [{name: a, type: int}]\n---\ndataset: b\n",
                 "orders.yaml:4:1: more than one YAML document; a contract file holds one");
    expect_error("dataset: orders\nschema: *nothing\n",
                 "orders.yaml:2:9: YAML syntax error: found undefined alias");
}

static void test_aliases_and_limits(void **state)
{
    (void)state;
    /* Anchors and aliases are plain YAML reuse. */
    tarn_contract *c = load_ok("dataset: x\nschema:\n"
                               "  - {name: a, type: int, constraints: &pos [min_value(0)]}\n"
                               "  - {name: b, type: int, constraints: *pos}\n");
    assert_int_equal(c->columns[1].n_constraints, 1);
    assert_string_equal(c->columns[1].constraints[0].id, "b.min_value");
    tarn_ct_destroy(c);
    /* More columns than a contract may have is a clear error, not a slow load. */
    tarn_buf b;
    tarn_buf_init(&b);
    assert_int_equal(tarn_buf_append_str(&b, "dataset: x\nschema:\n"), TARN_OK);
    for (int i = 0; i < 10001; i++)
        assert_int_equal(tarn_buf_printf(&b, "  - {name: c%d, type: int}\n", i), TARN_OK);
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_ct_load_mem(b.data, b.len, "wide.yaml", &c, &err), TARN_ERR_LIMIT);
    assert_null(c);
    char msg[512];
    tarn_err_format(&err, msg, sizeof msg);
    assert_string_equal(msg, "wide.yaml:3:3: schema: more than 10000 columns");
    tarn_buf_fini(&b);
}

static void test_duration(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t secs;
    } ok[] = {{"4h", 14400},      {"4 hours", 14400}, {"1 hour", 3600}, {"30m", 1800},
              {"90s", 90},        {"2d", 172800},     {"1 day", 86400}, {"1w", 604800},
              {"1h 30m", 5400},   {"1h30m", 5400},    {"1.5h", 5400},   {"0s", 0},
              {"15 minutes", 900}};
    tarn_err err;
    for (size_t i = 0; i < TARN_ARRAY_LEN(ok); i++) {
        int64_t s = -1;
        tarn_err_clear(&err);
        assert_int_equal(tarn_ct_parse_duration(ok[i].text, &s, &err), TARN_OK);
        assert_int_equal(s, ok[i].secs);
    }
    static const char *const bad[] = {"",    "h",   "4",   "4 parsecs",
                                      "-1h", "4h!", "1.h", "99999999999999w"};
    for (size_t i = 0; i < TARN_ARRAY_LEN(bad); i++) {
        int64_t s = -1;
        tarn_err_clear(&err);
        assert_int_equal(tarn_ct_parse_duration(bad[i], &s, &err), TARN_ERR_INVALID);
        assert_non_null(strstr(err.msg, "is not a duration"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_founding_example),
        cmocka_unit_test(test_full_contract),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_errors_types),
        cmocka_unit_test(test_errors_keys),
        cmocka_unit_test(test_errors_values),
        cmocka_unit_test(test_errors_constraints_checks),
        cmocka_unit_test(test_errors_more),
        cmocka_unit_test(test_errors_yaml),
        cmocka_unit_test(test_aliases_and_limits),
        cmocka_unit_test(test_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
