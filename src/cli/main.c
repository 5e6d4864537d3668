/*
 * cli/main.c - the tarn binary: dispatches argv[1] to a subcommand.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *name;
    tarn_cli_fn fn;
    bool bulk; /* moves table-sized data: wants huge pages */
    const char *summary;
} commands[] = {
    {"cat", tarn_cli_cat, true, "print a Parquet file or Delta table (any version)"},
    {"write", tarn_cli_write, true, "write NDJSON, CSV or Parquet input into a Delta table"},
    {"ingest", tarn_cli_ingest, true, "land raw records in a dataset's Bronze table, as received"},
    {"run", tarn_cli_run, true,
     "refine new Bronze records into Silver: cast, quarantine, dedup, merge"},
    {"heal", tarn_cli_heal, true,
     "move quarantined records that now pass their contract into Silver"},
    {"runs", tarn_cli_runs, false, "the history of pipeline runs"},
    {"status", tarn_cli_status, false, "each dataset's freshness against its contract's sla"},
    {"sql", tarn_cli_sql, false, "query the lake's tables with SQL"},
    {"table", tarn_cli_table, true,
     "history, describe, optimize, vacuum or delete from a Delta table"},
    {"parquet", tarn_cli_parquet, false, "inspect a Parquet file: schema, row groups, stats"},
    {"contract", tarn_cli_contract, true, "lint, test and diff YAML data contracts"},
};

#if defined(__SANITIZE_ADDRESS__)
#define TARN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TARN_ASAN 1
#endif
#endif

/* glibc reads its allocator tunables once, at start-up, so commands that
 * move table-sized data re-execute themselves with three set:
 * glibc.malloc.hugetlb=1 backs the heap with transparent huge pages, and a
 * fixed mmap threshold (32 MiB) with a high trim threshold (1 GiB) keeps
 * freed batch buffers for reuse instead of returning them to the system
 * and faulting them in again. A Silver run over 10M rows fills a gigabyte
 * of fresh memory: with these it makes ~4x fewer page faults and takes
 * ~30% less time (page faults are costly, especially on virtual machines).
 * TARN_NO_HUGEPAGES=1 opts out; nothing changes where THP is off or exec
 * fails. */
static void want_huge_pages(char **argv)
{
#if defined(__linux__) && defined(__GLIBC__) && !defined(TARN_ASAN)
    const char *t = getenv("GLIBC_TUNABLES");
    const char *no = getenv("TARN_NO_HUGEPAGES");
    if ((t && strstr(t, "glibc.malloc.hugetlb")) || (no && *no && strcmp(no, "0") != 0))
        return;
    char buf[1024];
    int n = snprintf(buf, sizeof buf,
                     "%s%sglibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
                     "glibc.malloc.trim_threshold=1073741824",
                     t ? t : "", t ? ":" : "");
    if (n < 0 || (size_t)n >= sizeof buf || setenv("GLIBC_TUNABLES", buf, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the default allocator (leave the variable
     * set so that nothing loops) */
#else
    (void)argv;
#endif
}

static void usage(FILE *out)
{
    fprintf(out,
            "tarn %s - a lakehouse engine on open Delta Lake + Parquet tables\n\n"
            "usage: tarn <command> [options]\n\ncommands:\n",
            TARN_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'tarn <command> --help' for a command's options.\n"
                 "Exit codes: 0 ok, 1 data or check failure, 2 usage or input error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (tarn_cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("tarn %s\n", TARN_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            if (commands[i].bulk)
                want_huge_pages(argv);
            return commands[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "tarn: unknown command '%s' (try 'tarn --help')\n", argv[1]);
    return 2;
}
