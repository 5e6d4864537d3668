/*
 * cli/cmd_parquet.c - placeholder until the subcommand lands.
 */
#include "cli/cli.h"

int tarn_cli_parquet(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "tarn %s: not available in this build\n", argv[0]);
    return 2;
}
