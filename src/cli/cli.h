/*
 * cli/cli.h - shared pieces of the tarn command line: the subcommand
 * signature, option scanning, error reporting and exit codes.
 *
 * Every subcommand is `int tarn_cli_<name>(int argc, char **argv)` where
 * argv[0] is the subcommand name; it returns the process exit code (0 ok,
 * 1 data or check failure, 2 usage or input error) and prints errors as one
 * line on stderr: "tarn <cmd>: <file>:<line>: <message>".
 */
#ifndef TARN_CLI_CLI_H
#define TARN_CLI_CLI_H

#include "base/status.h"

#include <stdio.h>

typedef int (*tarn_cli_fn)(int argc, char **argv);

/* Prints err as one line prefixed with "tarn <cmd>: " and returns its exit code. */
int tarn_cli_fail(const char *cmd, const tarn_err *err);
/* Prints a usage error (printf-style) plus "try 'tarn <cmd> --help'"; returns 2. */
int tarn_cli_usage_error(const char *cmd, const char *fmt, ...) TARN_PRINTF(2, 3);
/* True when arg is "-h" or "--help". */
bool tarn_cli_is_help(const char *arg);
/* Matches "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i past the
 * value and stores it. Returns 1 on match, 0 when argv[*i] is another
 * argument, -1 when the value is missing (an error was printed). */
int tarn_cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name,
                 const char **out);
/* Parses a non-negative integer option value; prints an error and returns
 * false when it is not one. */
bool tarn_cli_parse_i64(const char *cmd, const char *opt, const char *s, int64_t *out);

/* The lake directory: --lake when given (may be NULL), else $TARN_LAKE, else
 * "./lake". */
const char *tarn_cli_lake_dir(const char *lake_opt);
/* Resolves a table argument: an existing directory is used as is; a
 * "layer.name" is LAKE/layer/name. Writes the path into out; returns false
 * (with err set, TARN_ERR_NOT_FOUND) when neither exists. */
bool tarn_cli_table_path(const char *arg, const char *lake_opt, char *out, size_t cap,
                         tarn_err *err);

int tarn_cli_cat(int argc, char **argv);
int tarn_cli_contract(int argc, char **argv);
/* `tarn contract <sub>` handlers (argv[0] is the subcommand name). */
int tarn_cli_contract_lint(int argc, char **argv);
int tarn_cli_contract_test(int argc, char **argv);
int tarn_cli_contract_diff(int argc, char **argv);
int tarn_cli_write(int argc, char **argv);
int tarn_cli_ingest(int argc, char **argv);
int tarn_cli_run(int argc, char **argv);
int tarn_cli_runs(int argc, char **argv);
int tarn_cli_heal(int argc, char **argv);
int tarn_cli_status(int argc, char **argv);
int tarn_cli_sql(int argc, char **argv);
int tarn_cli_table(int argc, char **argv);
int tarn_cli_parquet(int argc, char **argv);

#endif
