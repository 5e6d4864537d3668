/*
 * cli/main.c - the tarn binary: dispatches argv[1] to a subcommand.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    tarn_cli_fn fn;
    const char *summary;
} commands[] = {
    {"cat", tarn_cli_cat, "print a Parquet file or Delta table (any version)"},
    {"write", tarn_cli_write, "write NDJSON, CSV or Parquet input into a Delta table"},
    {"ingest", tarn_cli_ingest, "land raw records in a dataset's Bronze table, as received"},
    {"run", tarn_cli_run, "refine new Bronze records into Silver: cast, quarantine, dedup, merge"},
    {"heal", tarn_cli_heal, "move quarantined records that now pass their contract into Silver"},
    {"runs", tarn_cli_runs, "the history of pipeline runs"},
    {"status", tarn_cli_status, "each dataset's freshness against its contract's sla"},
    {"table", tarn_cli_table, "history, describe, vacuum or delete from a Delta table"},
    {"parquet", tarn_cli_parquet, "inspect a Parquet file: schema, row groups, stats"},
    {"contract", tarn_cli_contract, "lint, test and diff YAML data contracts"},
};

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
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "tarn: unknown command '%s' (try 'tarn --help')\n", argv[1]);
    return 2;
}
