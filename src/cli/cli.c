/*
 * cli/cli.c - option scanning and error reporting shared by subcommands.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int tarn_cli_fail(const char *cmd, const tarn_err *err)
{
    char line[2048];
    tarn_err_format(err, line, sizeof line);
    fprintf(stderr, "tarn %s: %s\n", cmd, line);
    return tarn_status_exit_code(err->code);
}

int tarn_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tarn %s: %s (try 'tarn %s --help')\n", cmd, msg, cmd);
    return 2;
}

bool tarn_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int tarn_cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, const char **out)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *out = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        tarn_cli_usage_error(cmd, "option %s needs a value", name);
        return -1;
    }
    *out = argv[++*i];
    return 1;
}

bool tarn_cli_parse_i64(const char *cmd, const char *opt, const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0) {
        tarn_cli_usage_error(cmd, "%s expects a non-negative integer, got '%s'", opt, s);
        return false;
    }
    *out = v;
    return true;
}
