/*
 * cli/cmd_contract.c - `tarn contract lint|test|diff`: dispatches to the
 * subcommand handlers (cmd_contract_lint.c, _test.c, _diff.c).
 */
#include "cli/cli.h"

#include <string.h>

static const char usage_text[] =
    "usage: tarn contract lint FILE...\n"
    "       tarn contract test CONTRACT.yaml --table PATH_OR_NAME [--json]\n"
    "       tarn contract diff OLD.yaml NEW.yaml [--json] [--fail-on warning]\n"
    "                          [--for readers|writers|both]\n"
    "       tarn contract diff --git REV [PATH...]\n"
    "\n"
    "lint  load contracts and report every problem as FILE:LINE:COL\n"
    "test  evaluate a contract's constraints and checks against a Delta table\n"
    "diff  classify the changes between two versions of contracts; exit 1 when a\n"
    "      breaking change comes without a major version bump\n"
    "\n"
    "Run 'tarn contract <sub> --help' for details.\n";

int tarn_cli_contract(int argc, char **argv)
{
    if (argc < 2 || tarn_cli_is_help(argv[1])) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "lint"))
        return tarn_cli_contract_lint(argc - 1, argv + 1);
    if (!strcmp(argv[1], "test"))
        return tarn_cli_contract_test(argc - 1, argv + 1);
    if (!strcmp(argv[1], "diff"))
        return tarn_cli_contract_diff(argc - 1, argv + 1);
    return tarn_cli_usage_error("contract", "unknown subcommand '%s' (lint, test, diff)", argv[1]);
}
