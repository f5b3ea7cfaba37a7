/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VmmMigration subclass that shows the migration: a live progress bar on a
 * terminal, plain lines otherwise, or one JSON object per event line. */
#pragma once

#include "cli-util.h"

G_BEGIN_DECLS

#define CLI_TYPE_MIGRATION (cli_migration_get_type ())
G_DECLARE_FINAL_TYPE (CliMigration, cli_migration, CLI, MIGRATION, VmmMigration)

void
cli_migration_set_output (CliMigration *self, CliOutput output);
gboolean
cli_migration_get_backend_started (CliMigration *self);
void
cli_migration_note (CliMigration *self, const char *event, const char *message);
void
cli_migration_end_display (CliMigration *self);

G_END_DECLS
