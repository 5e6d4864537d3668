/*
 * tests/tools/ndjgen.c - deterministic generator of orders-like NDJSON for
 * tests and benchmarks.
 *
 *   tarn_tool_ndjgen N [--seed S] [--dup-rate F] [--numeric-amount] > orders.ndjson
 *   tarn_tool_ndjgen N --customers [--seed S] > customers.ndjson
 *
 * The same N, seed and options always give the same bytes (splitmix64, no
 * libc randomness, no locale). --dup-rate F makes a fraction F of records
 * reuse an earlier order_id (for dedup/MERGE tests). The matching schema is
 * printed by --schema. --customers writes N customers instead (user_id 1..N,
 * the ids orders refer to when N is 100000), schema from --customers --schema.
 */
#include "base/time.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CUSTOMERS_SCHEMA                                                                           \
    "user_id int64 not null, name string, segment string, country string, signup_date date"

#define ORDERS_SCHEMA                                                                              \
    "order_id string not null, user_id int64, amount decimal(10,2), country string, "              \
    "status string, ts timestamp, qty int32, price double, flag boolean"

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return next_u64() % n;
}

static void usage(void)
{
    fprintf(stderr, "usage: tarn_tool_ndjgen N [--seed S] [--dup-rate F] [--numeric-amount]\n"
                    "       tarn_tool_ndjgen N --customers [--seed S]\n"
                    "       tarn_tool_ndjgen [--customers] --schema\n");
}

int main(int argc, char **argv)
{
    static const char *const countries[] = {"DE", "FR", "US", "GB", "ES", "IT",
                                            "NL", "SE", "PL", "BR", "JP", "IN"};
    static const char *const statuses[] = {"paid", "pending", "shipped", "refunded", "cancelled"};
    long long n = -1;
    uint64_t seed = 42;
    double dup_rate = 0;
    int numeric_amount = 0, customers = 0, schema = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--schema") == 0) {
            schema = 1;
        } else if (strcmp(argv[i], "--customers") == 0) {
            customers = 1;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--dup-rate") == 0 && i + 1 < argc) {
            dup_rate = strtod(argv[++i], NULL);
        } else if (strcmp(argv[i], "--numeric-amount") == 0) {
            numeric_amount = 1;
        } else if (argv[i][0] != '-' && n < 0) {
            char *end;
            n = strtoll(argv[i], &end, 10);
            if (*end || n < 0) {
                usage();
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (schema) {
        puts(customers ? CUSTOMERS_SCHEMA : ORDERS_SCHEMA);
        return 0;
    }
    if (n < 0) {
        usage();
        return 2;
    }
    rng_state = seed;
    if (customers) {
        static const char *const segments[] = {"consumer", "corporate", "home_office",
                                               "small_business"};
        const int64_t day0 = tarn_days_from_civil(2018, 1, 1);
        for (long long i = 1; i <= n; i++) {
            int64_t y;
            int mo, d;
            tarn_civil_from_days(day0 + (int64_t)below(2190), &y, &mo, &d);
            printf("{\"user_id\":%lld,\"name\":\"customer %lld\",\"segment\":\"%s\","
                   "\"country\":\"%s\",\"signup_date\":\"%04lld-%02d-%02d\"}\n",
                   i, i, segments[below(TARN_ARRAY_LEN(segments))],
                   countries[below(TARN_ARRAY_LEN(countries))], (long long)y, mo, d);
        }
        return fflush(stdout) == 0 ? 0 : 1;
    }
    const int64_t base = tarn_days_from_civil(2024, 1, 1) * 86400;
    uint64_t dup_cut = (uint64_t)(dup_rate * 1e9);
    size_t cap = (size_t)1 << 20, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return 1;
    for (long long i = 0; i < n; i++) {
        long long id = i + 1;
        if (dup_cut && i > 0 && below(1000000000) < dup_cut)
            id = (long long)below((uint64_t)i) + 1;
        int64_t secs = base + i * 3 + (int64_t)below(3);
        int64_t y;
        int mo, d;
        tarn_civil_from_days(secs / 86400, &y, &mo, &d);
        int sod = (int)(secs % 86400);
        unsigned long long cents = 1 + below(99999), pcents = 100 + below(9900);
        char amount[32];
        snprintf(amount, sizeof amount, numeric_amount ? "%llu.%02llu" : "\"%llu.%02llu\"",
                 cents / 100, cents % 100);
        int k = snprintf(buf + len, cap - len,
                         "{\"order_id\":\"o-%06lld\",\"user_id\":%llu,\"amount\":%s,"
                         "\"country\":\"%s\",\"status\":\"%s\","
                         "\"ts\":\"%04lld-%02d-%02dT%02d:%02d:%02dZ\",\"qty\":%llu,"
                         "\"price\":%llu.%02llu,\"flag\":%s}\n",
                         id, 1 + (unsigned long long)below(100000), amount,
                         countries[below(TARN_ARRAY_LEN(countries))],
                         statuses[below(TARN_ARRAY_LEN(statuses))], (long long)y, mo, d, sod / 3600,
                         sod / 60 % 60, sod % 60, 1 + (unsigned long long)below(10), pcents / 100,
                         pcents % 100, below(2) ? "true" : "false");
        len += (size_t)k;
        if (cap - len < 512) {
            if (fwrite(buf, 1, len, stdout) != len)
                return 1;
            len = 0;
        }
    }
    if (len && fwrite(buf, 1, len, stdout) != len)
        return 1;
    free(buf);
    return fflush(stdout) == 0 ? 0 : 1;
}
