/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vmm-private.h"

G_BEGIN_DECLS

typedef gboolean (*VmmEngineActionFunc) (VmmMigrationContext *context, GError **error);

/* The one action running @func, made on first use and kept in *@shared (a
 * static of the caller's); returns a new reference to it. */
VmmAction *
vmm_engine_action_shared (VmmAction **shared, const char *name, VmmActionPerformer performer,
                          VmmEngineActionFunc func);

/* The rules, shared by InvokePrechecks, SelectDestination, CheckCompatibility
 * and placement: each appends VmmCheck results to @out. */
void
vmm_checks_for_vm (VmmMigrationContext *context, GPtrArray *out);
void
vmm_checks_for_host (VmmMigrationContext *context, VmmHostInfo *host, GPtrArray *out,
                     gboolean *requires_storage_motion);
/* Records @checks in the context; fails with the first blocking one. */
gboolean
vmm_checks_apply (VmmMigrationContext *context, GPtrArray *checks, GError **error);
VmmCandidate *
vmm_placement_evaluate (VmmMigrationContext *context, VmmHostInfo *host);
void
vmm_workflow_compute_targets (VmmMigrationContext *context);

G_END_DECLS
