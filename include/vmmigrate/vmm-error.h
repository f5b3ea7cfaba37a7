/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * VMM_ERROR:
 *
 * The error domain of libvmmigrate.
 *
 * Since: 1.0
 */
#define VMM_ERROR (vmm_error_quark ())

/**
 * VmmError:
 * @VMM_ERROR_FAILED: a failure with no more specific code
 * @VMM_ERROR_INVALID_SPEC: the relocate spec (or another input) is invalid; the
 *   message names the field and why
 * @VMM_ERROR_NOT_FOUND: a VM, host, datastore or other object does not exist
 * @VMM_ERROR_INCOMPATIBLE: the VM cannot run on the destination (CPU, devices,
 *   state, zone...)
 * @VMM_ERROR_INSUFFICIENT_CAPACITY: the destination lacks memory, CPUs or space
 * @VMM_ERROR_PERMISSION_DENIED: the backend refused the credentials or the call
 * @VMM_ERROR_BUSY: the VM is already migrating, or the object is in a state that
 *   does not allow the call now
 * @VMM_ERROR_TIMEOUT: the move or a backend call did not finish in time
 * @VMM_ERROR_UNSUPPORTED: the backend cannot do what the migration needs
 * @VMM_ERROR_BACKEND: the backend or platform failed; its own message is kept
 * @VMM_ERROR_ROLLBACK_FAILED: a failure could not be fully undone; the message
 *   says what is left and where the VM is
 * @VMM_ERROR_VETOED: a pre-migration callback refused the migration
 *
 * Error codes in the %VMM_ERROR domain. Cancellation is reported as
 * %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_ERROR_FAILED,
  VMM_ERROR_INVALID_SPEC,
  VMM_ERROR_NOT_FOUND,
  VMM_ERROR_INCOMPATIBLE,
  VMM_ERROR_INSUFFICIENT_CAPACITY,
  VMM_ERROR_PERMISSION_DENIED,
  VMM_ERROR_BUSY,
  VMM_ERROR_TIMEOUT,
  VMM_ERROR_UNSUPPORTED,
  VMM_ERROR_BACKEND,
  VMM_ERROR_ROLLBACK_FAILED,
  VMM_ERROR_VETOED,
} VmmError;

VMM_AVAILABLE_IN_ALL
GQuark vmm_error_quark (void);

G_END_DECLS
