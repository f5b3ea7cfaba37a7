/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/**
 * VmmCheck:
 *
 * One precheck result: a stable code (`cpu-features`, `memory-capacity`,
 * `local-storage-needs-motion`...), whether it blocks the move or only warns,
 * the object it concerns, a message naming the cause and the remedy. The
 * backend reports facts; the engine evaluates the same rules on every
 * backend, so the same cause gives the same check everywhere.
 *
 * Since: 1.0
 */

struct _VmmCheck
{
  GObject parent_instance;

  char *code;
  VmmCheckSeverity severity;
  VmmError error_code;
  char *subject;
  char *message;
  char *remedy;
};

G_DEFINE_FINAL_TYPE (VmmCheck, vmm_check, G_TYPE_OBJECT)

static void
vmm_check_finalize (GObject *object)
{
  VmmCheck *self = VMM_CHECK (object);

  g_free (self->code);
  g_free (self->subject);
  g_free (self->message);
  g_free (self->remedy);
  G_OBJECT_CLASS (vmm_check_parent_class)->finalize (object);
}

static void
vmm_check_class_init (VmmCheckClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_check_finalize;
}

static void
vmm_check_init (VmmCheck *self)
{
}

/**
 * vmm_check_new:
 * @code: the stable code
 * @severity: error or warning
 * @error_code: the #VmmError a blocking check fails the migration with
 * @subject: (nullable): the object it concerns (host, datastore, device...)
 * @message: the cause
 * @remedy: (nullable): what to do about it
 *
 * Creates a check result.
 *
 * Returns: (transfer full): the check
 *
 * Since: 1.0
 */
VmmCheck *
vmm_check_new (const char *code, VmmCheckSeverity severity, VmmError error_code,
               const char *subject, const char *message, const char *remedy)
{
  VmmCheck *self;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);
  self = g_object_new (VMM_TYPE_CHECK, NULL);
  self->code = g_strdup (code);
  self->severity = severity;
  self->error_code = error_code;
  self->subject = g_strdup (subject);
  self->message = g_strdup (message);
  self->remedy = g_strdup (remedy);
  return self;
}

/**
 * vmm_check_get_code:
 * @self: a #VmmCheck
 *
 * The stable code of the check.
 *
 * Returns: the code
 *
 * Since: 1.0
 */
const char *
vmm_check_get_code (VmmCheck *self)
{
  g_return_val_if_fail (VMM_IS_CHECK (self), NULL);
  return self->code;
}

/**
 * vmm_check_get_severity:
 * @self: a #VmmCheck
 *
 * Whether the check blocks the move.
 *
 * Returns: the severity
 *
 * Since: 1.0
 */
VmmCheckSeverity
vmm_check_get_severity (VmmCheck *self)
{
  g_return_val_if_fail (VMM_IS_CHECK (self), VMM_CHECK_SEVERITY_ERROR);
  return self->severity;
}

/**
 * vmm_check_get_error_code:
 * @self: a #VmmCheck
 *
 * The error a blocking check fails the migration with.
 *
 * Returns: the #VmmError code
 *
 * Since: 1.0
 */
VmmError
vmm_check_get_error_code (VmmCheck *self)
{
  g_return_val_if_fail (VMM_IS_CHECK (self), VMM_ERROR_FAILED);
  return self->error_code;
}

/**
 * vmm_check_get_subject:
 * @self: a #VmmCheck
 *
 * The object the check concerns.
 *
 * Returns: (nullable): its name
 *
 * Since: 1.0
 */
const char *
vmm_check_get_subject (VmmCheck *self)
{
  g_return_val_if_fail (VMM_IS_CHECK (self), NULL);
  return self->subject;
}

/**
 * vmm_check_get_message:
 * @self: a #VmmCheck
 *
 * The cause.
 *
 * Returns: the message
 *
 * Since: 1.0
 */
const char *
vmm_check_get_message (VmmCheck *self)
{
  g_return_val_if_fail (VMM_IS_CHECK (self), NULL);
  return self->message;
}

/**
 * vmm_check_get_remedy:
 * @self: a #VmmCheck
 *
 * What to do about it.
 *
 * Returns: (nullable): the remedy
 *
 * Since: 1.0
 */
const char *
vmm_check_get_remedy (VmmCheck *self)
{
  g_return_val_if_fail (VMM_IS_CHECK (self), NULL);
  return self->remedy;
}

/**
 * vmm_check_to_string:
 * @self: a #VmmCheck
 *
 * One line: severity, code, message and remedy.
 *
 * Returns: (transfer full): the text
 *
 * Since: 1.0
 */
char *
vmm_check_to_string (VmmCheck *self)
{
  g_return_val_if_fail (VMM_IS_CHECK (self), NULL);
  return g_strdup_printf ("%s [%s] %s%s%s",
                          self->severity == VMM_CHECK_SEVERITY_ERROR ? "error" : "warning",
                          self->code, self->message, self->remedy != NULL ? " — " : "",
                          self->remedy != NULL ? self->remedy : "");
}
