/*
 * cli/cmd_contract_diff.c - `tarn contract diff` (being written).
 */
#include "cli/cli.h"

int tarn_cli_contract_diff(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "tarn contract %s: not available in this build\n", argv[0]);
    return 2;
}
