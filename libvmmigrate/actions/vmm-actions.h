/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vmm-private.h"

G_BEGIN_DECLS

typedef gboolean (*VmmEngineActionFunc) (VmmMigrationContext *context, GError **error);

VmmAction *vmm_engine_action_new (const char *name,
                                  VmmActionPerformer performer,
                                  VmmEngineActionFunc func);

/* Rules shared by SelectDestination and CheckCompatibility: can @host take
 * the VM as the context describes the move? */
gboolean vmm_check_destination_host (VmmMigrationContext *context,
                                     VmmHostInfo *host,
                                     GError **error);
gboolean vmm_check_target_storage (VmmMigrationContext *context,
                                   const char *host,
                                   GError **error);
void vmm_workflow_compute_targets (VmmMigrationContext *context);

G_END_DECLS
