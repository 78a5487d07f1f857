/*
 * check_sarif.h — `memprof check --sarif FILE`: the result as SARIF 2.1.0
 * (OASIS Static Analysis Results Interchange Format), the file GitHub code
 * scanning, GitLab and IDE viewers read to show a finding at its source
 * line. The layout is described in docs/ci.md ("SARIF").
 */
#ifndef MP_CLI_CHECK_SARIF_H
#define MP_CLI_CHECK_SARIF_H

#include <stdio.h>

#include "check_view.h"

/* Writes r as one SARIF log with one run. root: the directory that
 * relative artifact URIs are relative to (uriBaseId SRCROOT), absolute,
 * without a trailing '/'; NULL: the nearest directory holding .git from
 * the current directory up, else the current directory. version: the
 * tool's version. Returns 0, or -1 if writing failed. */
int mp_check_sarif(FILE *out, const mp_check_result_t *r, const char *root,
                   const char *version);

#endif
