/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-util.h"

#include <stdio.h>

/* The name of an error for programs: the VmmError nick ("not-found"),
 * "cancelled", or "failed" for anything else. */
const char *
cli_error_code_name (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (error->domain == VMM_ERROR)
    return cli_enum_nick (VMM_TYPE_ERROR, error->code);
  if (error->domain == G_OPTION_ERROR)
    return "invalid-option";
  return "failed";
}

/* Opening or querying the backend: a URI or inventory the user got wrong is
 * invalid input, anything else is the backend's failure. */
CliExit
cli_exit_for_open_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CLI_EXIT_CANCELLED;
  if (g_error_matches (error, VMM_ERROR, VMM_ERROR_NOT_FOUND)
      || g_error_matches (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC) || error->domain == G_URI_ERROR
      || error->domain == G_OPTION_ERROR)
    return CLI_EXIT_INVALID;
  return CLI_EXIT_FAILURE;
}

/* A plan or migration that ended with @error. @backend_started says whether
 * any action that changes the platform started (nothing moved before);
 * @result, where the engine made one, says where the VM is. */
CliExit
cli_exit_for_migration_error (const GError *error, gboolean backend_started,
                              VmmMigrationResult *result)
{
  if (g_error_matches (error, VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED))
    return CLI_EXIT_ATTENTION;
  if (result != NULL && vmm_migration_result_get_moved (result))
    return CLI_EXIT_ATTENTION;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CLI_EXIT_CANCELLED;
  if (!backend_started)
    {
      if (g_error_matches (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC))
        return CLI_EXIT_INVALID;
      return CLI_EXIT_REFUSED;
    }
  return CLI_EXIT_FAILED;
}

const char *
cli_exit_describe (CliExit code)
{
  switch (code)
    {
    case CLI_EXIT_OK:
      return "ok";
    case CLI_EXIT_INVALID:
      return "invalid-input";
    case CLI_EXIT_REFUSED:
      return "refused";
    case CLI_EXIT_FAILED:
      return "failed";
    case CLI_EXIT_ATTENTION:
      return "needs-attention";
    case CLI_EXIT_CANCELLED:
      return "cancelled";
    case CLI_EXIT_FAILURE:
    default:
      return "failure";
    }
}

const char *
cli_enum_nick (GType type, int value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);
  const char *nick = v != NULL ? v->value_nick : "unknown";

  /* enum classes stay alive once referenced: the nick outlives the unref */
  g_type_class_unref (klass);
  return nick;
}

/* Parses JSON that the library wrote (vmm_plan_to_json()...). */
JsonNode *
cli_json_parse (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    {
      JsonNode *node = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (node, text);
      return node;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/* One JSON document on stdout; compact documents are one line each. */
void
cli_json_print (JsonNode *node, gboolean pretty)
{
  g_autofree char *text = json_to_string (node, pretty);

  g_print ("%s\n", text);
  fflush (stdout);
}

void
cli_json_print_builder (JsonBuilder *builder, gboolean pretty)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  cli_json_print (root, pretty);
}

/* Adds the members "exit-code", "status" and "error" {domain, code, message}. */
void
cli_json_add_error (JsonBuilder *builder, const GError *error, CliExit code)
{
  json_builder_set_member_name (builder, "exit-code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, cli_exit_describe (code));
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, g_quark_to_string (error->domain));
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, cli_error_code_name (error));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_end_object (builder);
}

char *
cli_format_bytes (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

char *
cli_format_duration_ms (gint64 ms)
{
  gint64 s = (ms + 999) / 1000;

  if (ms < 0)
    return g_strdup ("--:--");
  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int)(s / 60 % 60),
                            (int)(s % 60));
  return g_strdup_printf ("%d:%02d", (int)(s / 60), (int)(s % 60));
}
