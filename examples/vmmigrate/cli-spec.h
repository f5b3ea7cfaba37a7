/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The relocate spec on the command line: options that mirror the
 * RelocateSpec, or --spec FILE with its JSON form. */
#pragma once

#include <vmmigrate/vmmigrate.h>

G_BEGIN_DECLS

typedef struct
{
  char *spec_file;
  char *host;
  char *datastore;
  char *pool;
  char *folder;
  char **disks;
  char **networks;
  gboolean hot;
  gboolean cold;
  char *max_downtime;
  char *bandwidth;
  char *timeout;
  char *on_timeout;
  char *priority;
  char *parallel;
  gboolean post_copy;
  gboolean auto_converge;
  gboolean compression;
  gboolean allow_storage_class_change;
  gboolean allow_zone_change;
  gboolean detach_unreachable_devices;
  gboolean fallback_other_host;
  gboolean fallback_cold;
  gboolean keep_source_disks;
} CliSpecOptions;

void
cli_spec_options_add_entries (CliSpecOptions *self, GOptionContext *context);
VmmRelocateSpec *
cli_spec_options_build (CliSpecOptions *self, GError **error);
void
cli_spec_options_clear (CliSpecOptions *self);

G_END_DECLS
