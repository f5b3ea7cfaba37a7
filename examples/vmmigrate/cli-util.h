/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers of the vmmigrate command-line tool: exit codes, error
 * classification and JSON output. */
#pragma once

#include <json-glib/json-glib.h>
#include <vmmigrate/vmmigrate.h>

G_BEGIN_DECLS

/* The documented exit codes (vmmigrate(1), EXIT STATUS). */
typedef enum
{
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAILURE = 1,    /* the backend could not be reached or queried */
  CLI_EXIT_INVALID = 2,    /* bad option, spec, URI or unknown VM */
  CLI_EXIT_REFUSED = 3,    /* the checks refused the move; nothing moved */
  CLI_EXIT_FAILED = 4,     /* the move failed; the VM is on its source */
  CLI_EXIT_ATTENTION = 5,  /* rollback failed, or failed after switch-over */
  CLI_EXIT_CANCELLED = 130 /* cancelled (SIGINT/SIGTERM, or vmmigrate abort) */
} CliExit;

typedef enum
{
  CLI_OUTPUT_PLAIN,
  CLI_OUTPUT_TTY,
  CLI_OUTPUT_JSON,
} CliOutput;

const char *
cli_error_code_name (const GError *error);
CliExit
cli_exit_for_open_error (const GError *error);
CliExit
cli_exit_for_migration_error (const GError *error, gboolean backend_started,
                              VmmMigrationResult *result);
const char *
cli_exit_describe (CliExit code);

const char *
cli_enum_nick (GType type, int value);
JsonNode *
cli_json_parse (const char *text);
void
cli_json_print (JsonNode *node, gboolean pretty);
void
cli_json_print_builder (JsonBuilder *builder, gboolean pretty);
void
cli_json_add_error (JsonBuilder *builder, const GError *error, CliExit code);
char *
cli_format_bytes (guint64 bytes);
char *
cli_format_duration_ms (gint64 ms);

G_END_DECLS
