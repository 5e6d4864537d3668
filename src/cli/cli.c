/*
 * cli/cli.c - option scanning and error reporting shared by subcommands.
 */
#include "cli/cli.h"

#include "base/fs.h"

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

const char *tarn_cli_lake_dir(const char *lake_opt)
{
    if (lake_opt && *lake_opt)
        return lake_opt;
    const char *env = getenv("TARN_LAKE");
    return env && *env ? env : "lake";
}

bool tarn_cli_table_path(const char *arg, const char *lake_opt, char *out, size_t cap,
                         tarn_err *err)
{
    if (tarn_is_dir(arg)) {
        snprintf(out, cap, "%s", arg);
        return true;
    }
    const char *dot = strchr(arg, '.');
    if (dot && dot != arg && dot[1] && !strchr(arg, '/')) {
        snprintf(out, cap, "%s/%.*s/%s", tarn_cli_lake_dir(lake_opt), (int)(dot - arg), arg,
                 dot + 1);
        if (tarn_is_dir(out))
            return true;
        tarn_err_set(err, TARN_ERR_NOT_FOUND, "table %s not found (looked for %s)", arg, out);
        return false;
    }
    tarn_err_set(err, TARN_ERR_NOT_FOUND, "no table at %s (give a table directory or layer.name)",
                 arg);
    return false;
}
