/*
 * cli/cmd_contract_lint.c - `tarn contract lint` (being written).
 */
#include "cli/cli.h"

int tarn_cli_contract_lint(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "tarn contract %s: not available in this build\n", argv[0]);
    return 2;
}
