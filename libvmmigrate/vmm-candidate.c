/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/**
 * VmmCandidate:
 *
 * One host the engine considered as a destination: suitable or not with the
 * checks that decided it, whether going there requires storage motion, and
 * the score the engine weighed it with (higher is better).
 *
 * Since: 1.0
 */

struct _VmmCandidate
{
  GObject parent_instance;

  char *host;
  gboolean suitable;
  gboolean storage_motion;
  double score;
  GPtrArray *checks;
};

G_DEFINE_FINAL_TYPE (VmmCandidate, vmm_candidate, G_TYPE_OBJECT)

static void
vmm_candidate_finalize (GObject *object)
{
  VmmCandidate *self = VMM_CANDIDATE (object);

  g_free (self->host);
  g_ptr_array_unref (self->checks);
  G_OBJECT_CLASS (vmm_candidate_parent_class)->finalize (object);
}

static void
vmm_candidate_class_init (VmmCandidateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_candidate_finalize;
}

static void
vmm_candidate_init (VmmCandidate *self)
{
  self->checks = g_ptr_array_new_with_free_func (g_object_unref);
}

VmmCandidate *
vmm_candidate_new (const char *host, GPtrArray *checks, gboolean storage_motion, double score)
{
  VmmCandidate *self = g_object_new (VMM_TYPE_CANDIDATE, NULL);

  self->host = g_strdup (host);
  self->suitable = TRUE;
  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      VmmCheck *check = g_ptr_array_index (checks, i);

      g_ptr_array_add (self->checks, g_object_ref (check));
      if (vmm_check_get_severity (check) == VMM_CHECK_SEVERITY_ERROR)
        self->suitable = FALSE;
    }
  self->storage_motion = storage_motion;
  self->score = score;
  return self;
}

/**
 * vmm_candidate_get_host:
 * @self: a #VmmCandidate
 *
 * The host.
 *
 * Returns: its name
 *
 * Since: 1.0
 */
const char *
vmm_candidate_get_host (VmmCandidate *self)
{
  g_return_val_if_fail (VMM_IS_CANDIDATE (self), NULL);
  return self->host;
}

/**
 * vmm_candidate_get_suitable:
 * @self: a #VmmCandidate
 *
 * Whether the VM can go there (no blocking check).
 *
 * Returns: %TRUE if suitable
 *
 * Since: 1.0
 */
gboolean
vmm_candidate_get_suitable (VmmCandidate *self)
{
  g_return_val_if_fail (VMM_IS_CANDIDATE (self), FALSE);
  return self->suitable;
}

/**
 * vmm_candidate_get_requires_storage_motion:
 * @self: a #VmmCandidate
 *
 * Whether going there needs the VM's storage to move (the host does not
 * reach it), as CloudStack's findHostsForMigration reports.
 *
 * Returns: %TRUE if storage must move
 *
 * Since: 1.0
 */
gboolean
vmm_candidate_get_requires_storage_motion (VmmCandidate *self)
{
  g_return_val_if_fail (VMM_IS_CANDIDATE (self), FALSE);
  return self->storage_motion;
}

/**
 * vmm_candidate_get_score:
 * @self: a #VmmCandidate
 *
 * The weight the engine gave the host (higher is better): free memory after
 * placement, in-flight migrations towards it, same cluster first.
 *
 * Returns: the score
 *
 * Since: 1.0
 */
double
vmm_candidate_get_score (VmmCandidate *self)
{
  g_return_val_if_fail (VMM_IS_CANDIDATE (self), 0.0);
  return self->score;
}

/**
 * vmm_candidate_get_checks:
 * @self: a #VmmCandidate
 *
 * The checks that decided: errors make the host unsuitable.
 *
 * Returns: (transfer none) (element-type VmmCheck): the checks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_candidate_get_checks (VmmCandidate *self)
{
  g_return_val_if_fail (VMM_IS_CANDIDATE (self), NULL);
  return self->checks;
}

/**
 * vmm_candidate_to_string:
 * @self: a #VmmCandidate
 *
 * One line per candidate: host, suitable or not, why.
 *
 * Returns: (transfer full): the text
 *
 * Since: 1.0
 */
char *
vmm_candidate_to_string (VmmCandidate *self)
{
  GString *out;

  g_return_val_if_fail (VMM_IS_CANDIDATE (self), NULL);
  out = g_string_new (NULL);
  g_string_append_printf (out, "%s: %s (score %.1f%s)", self->host != NULL ? self->host : "(none)",
                          self->suitable ? "suitable" : "unsuitable", self->score,
                          self->storage_motion ? ", requires storage motion" : "");
  for (guint i = 0; i < self->checks->len; i++)
    g_string_append_printf (out, "; %s",
                            vmm_check_get_message (g_ptr_array_index (self->checks, i)));
  return g_string_free (out, FALSE);
}
