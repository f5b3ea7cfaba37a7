/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vmm-private.h"

G_BEGIN_DECLS

/* For the engine's built-in actions: sets the construct-only fields of an
 * action created with g_object_new() and no properties, without the cost of
 * setting them as properties (a migration creates about 24 actions). The
 * name is interned: one copy serves every action of that name. */
void
vmm_action_init_fields (VmmAction *self, const char *name, VmmActionPerformer performer,
                        gboolean transfers_data, gboolean point_of_no_return);

/* Runs a built-in action at once when it needs no main-loop turn: an engine
 * action (its function is synchronous) or, in a dry run, a backend step
 * (which does nothing then). Returns %FALSE, running nothing, when @action
 * must run through vmm_action_run_async(); otherwise sets @ok and @error as
 * vmm_action_run_finish() would. */
gboolean
vmm_action_run_now (VmmAction *action, VmmMigrationContext *context, gboolean *ok, GError **error);

/* The fields, without the public getters' type check: the engine reads
 * them for every action at every progress report. */
VmmActionPerformer
vmm_action_peek_performer (VmmAction *self);
gboolean
vmm_action_peek_transfers_data (VmmAction *self);
gboolean
vmm_action_peek_point_of_no_return (VmmAction *self);

/* The action's name, interned (built-in actions' names already are): it
 * outlives the action, for a result to keep without a copy. */
const char *
vmm_action_peek_interned_name (VmmAction *self);

G_END_DECLS
