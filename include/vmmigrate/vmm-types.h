/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * VmmPriority:
 * @VMM_PRIORITY_LOW: runs after everything else that waits for the same slots
 * @VMM_PRIORITY_DEFAULT: the default
 * @VMM_PRIORITY_HIGH: starts before default and low priority migrations
 *
 * The priority of a migration: queued migrations start in priority order
 * (then in the order they were queued) as the engine's concurrency slots free.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_PRIORITY_LOW,
  VMM_PRIORITY_DEFAULT,
  VMM_PRIORITY_HIGH,
} VmmPriority;

/**
 * VmmMigrationPreference:
 * @VMM_MIGRATION_PREFERENCE_AUTO: hot when the VM runs, cold otherwise
 * @VMM_MIGRATION_PREFERENCE_HOT: only a live (hot) move; a VM that is not
 *   running is refused
 * @VMM_MIGRATION_PREFERENCE_COLD: only a cold move; the VM must be powered off
 *
 * Which kind of move the caller accepts.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_MIGRATION_PREFERENCE_AUTO,
  VMM_MIGRATION_PREFERENCE_HOT,
  VMM_MIGRATION_PREFERENCE_COLD,
} VmmMigrationPreference;

/**
 * VmmOnTimeoutAction:
 * @VMM_ON_TIMEOUT_ABORT: abort the move; the VM stays on the source
 * @VMM_ON_TIMEOUT_FORCE_COMPLETE: pause the guest so the move completes
 * @VMM_ON_TIMEOUT_POST_COPY: switch a live move to post-copy
 * @VMM_ON_TIMEOUT_SUSPEND: suspend the guest and finish the move
 *
 * What the engine does when a move exceeds its completion timeout.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_ON_TIMEOUT_ABORT,
  VMM_ON_TIMEOUT_FORCE_COMPLETE,
  VMM_ON_TIMEOUT_POST_COPY,
  VMM_ON_TIMEOUT_SUSPEND,
} VmmOnTimeoutAction;

/**
 * VmmDiskMoveType:
 * @VMM_DISK_MOVE_TYPE_MOVE_ALL: move every backing of the disk (the whole
 *   snapshot chain) and share none of it
 * @VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST: move only the writable top of the chain,
 *   leaving read-only parents shared where they are
 * @VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD: leave every backing in place and
 *   create a new child on the target datastore
 *
 * How a disk's backing chain moves (vim25's diskMoveType).
 *
 * Since: 1.0
 */
typedef enum {
  VMM_DISK_MOVE_TYPE_MOVE_ALL,
  VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST,
  VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD,
} VmmDiskMoveType;

/**
 * VmmDiskTransform:
 * @VMM_DISK_TRANSFORM_NONE: keep the disk's format
 * @VMM_DISK_TRANSFORM_THIN: thin provisioned (sparse) on the target
 * @VMM_DISK_TRANSFORM_THICK: fully allocated on the target
 * @VMM_DISK_TRANSFORM_QCOW2: converted to qcow2
 * @VMM_DISK_TRANSFORM_RAW: converted to raw
 *
 * How a disk's backing is transformed while it moves.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_DISK_TRANSFORM_NONE,
  VMM_DISK_TRANSFORM_THIN,
  VMM_DISK_TRANSFORM_THICK,
  VMM_DISK_TRANSFORM_QCOW2,
  VMM_DISK_TRANSFORM_RAW,
} VmmDiskTransform;

/**
 * VmmMigrationType:
 * @VMM_MIGRATION_TYPE_UNKNOWN: not computed yet
 * @VMM_MIGRATION_TYPE_HOT_HOST: live move to another host, storage stays
 *   (shared storage; vMotion)
 * @VMM_MIGRATION_TYPE_HOT_STORAGE: live move of the VM's storage, host stays
 *   (Storage vMotion, block copy)
 * @VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE: live move of host and storage
 *   together (no shared storage)
 * @VMM_MIGRATION_TYPE_HOT_DISKS_ONLY: live move of some disks; the primary
 *   datastore and the host stay
 * @VMM_MIGRATION_TYPE_CROSS_MANAGER: move to a host managed by another
 *   manager (another vCenter, cloud or cluster)
 * @VMM_MIGRATION_TYPE_COLD: relocation of a powered-off VM
 * @VMM_MIGRATION_TYPE_POOL_ONLY: only the resource pool changes
 *
 * The kind of move ComputeSpec chose.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_MIGRATION_TYPE_UNKNOWN,
  VMM_MIGRATION_TYPE_HOT_HOST,
  VMM_MIGRATION_TYPE_HOT_STORAGE,
  VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE,
  VMM_MIGRATION_TYPE_HOT_DISKS_ONLY,
  VMM_MIGRATION_TYPE_CROSS_MANAGER,
  VMM_MIGRATION_TYPE_COLD,
  VMM_MIGRATION_TYPE_POOL_ONLY,
} VmmMigrationType;

/**
 * VmmMigrationState:
 * @VMM_MIGRATION_STATE_NEW: created, not started
 * @VMM_MIGRATION_STATE_QUEUED: started, waiting for a concurrency slot
 * @VMM_MIGRATION_STATE_RUNNING: actions are running
 * @VMM_MIGRATION_STATE_ROLLING_BACK: an action failed or the migration was
 *   cancelled; completed actions are being undone
 * @VMM_MIGRATION_STATE_SUCCEEDED: the VM is at its destination
 * @VMM_MIGRATION_STATE_FAILED: the migration failed; the error says where the
 *   VM is
 * @VMM_MIGRATION_STATE_CANCELLED: the migration was cancelled; the VM is on the
 *   source
 *
 * The life cycle of a #VmmMigration.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_MIGRATION_STATE_NEW,
  VMM_MIGRATION_STATE_QUEUED,
  VMM_MIGRATION_STATE_RUNNING,
  VMM_MIGRATION_STATE_ROLLING_BACK,
  VMM_MIGRATION_STATE_SUCCEEDED,
  VMM_MIGRATION_STATE_FAILED,
  VMM_MIGRATION_STATE_CANCELLED,
} VmmMigrationState;

/**
 * VmmPowerState:
 * @VMM_POWER_STATE_UNKNOWN: the backend cannot tell
 * @VMM_POWER_STATE_RUNNING: powered on
 * @VMM_POWER_STATE_OFF: powered off
 * @VMM_POWER_STATE_SUSPENDED: suspended or paused
 *
 * A VM's power state.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_POWER_STATE_UNKNOWN,
  VMM_POWER_STATE_RUNNING,
  VMM_POWER_STATE_OFF,
  VMM_POWER_STATE_SUSPENDED,
} VmmPowerState;

/**
 * VmmHostState:
 * @VMM_HOST_STATE_CONNECTED: up and accepting VMs
 * @VMM_HOST_STATE_MAINTENANCE: in maintenance mode
 * @VMM_HOST_STATE_DISABLED: up, but disabled for new VMs
 * @VMM_HOST_STATE_DOWN: not reachable
 *
 * A host's state as the backend reports it.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_HOST_STATE_CONNECTED,
  VMM_HOST_STATE_MAINTENANCE,
  VMM_HOST_STATE_DISABLED,
  VMM_HOST_STATE_DOWN,
} VmmHostState;

/**
 * VmmDeviceKind:
 * @VMM_DEVICE_KIND_OTHER: any other device
 * @VMM_DEVICE_KIND_CDROM: a CD/DVD drive
 * @VMM_DEVICE_KIND_NIC: a network interface
 * @VMM_DEVICE_KIND_FLOPPY: a floppy drive
 * @VMM_DEVICE_KIND_SERIAL: a serial port
 *
 * The kind of a virtual device (disks are #VmmDiskInfo).
 *
 * Since: 1.0
 */
typedef enum {
  VMM_DEVICE_KIND_OTHER,
  VMM_DEVICE_KIND_CDROM,
  VMM_DEVICE_KIND_NIC,
  VMM_DEVICE_KIND_FLOPPY,
  VMM_DEVICE_KIND_SERIAL,
} VmmDeviceKind;

/**
 * VmmBackendCapabilities:
 * @VMM_BACKEND_CAPABILITY_NONE: nothing
 * @VMM_BACKEND_CAPABILITY_HOT_HOST: live move between hosts with shared storage
 * @VMM_BACKEND_CAPABILITY_HOT_STORAGE: live storage-only move
 * @VMM_BACKEND_CAPABILITY_HOT_HOST_AND_STORAGE: live host and storage move
 * @VMM_BACKEND_CAPABILITY_COLD: cold relocation
 * @VMM_BACKEND_CAPABILITY_CROSS_MANAGER: moves to another manager
 * @VMM_BACKEND_CAPABILITY_POOL_CHANGE: resource pool changes
 * @VMM_BACKEND_CAPABILITY_ABORT: abort a live move in flight
 * @VMM_BACKEND_CAPABILITY_FORCE_COMPLETE: force a live move to complete
 * @VMM_BACKEND_CAPABILITY_POST_COPY: switch a live move to post-copy
 * @VMM_BACKEND_CAPABILITY_DISABLE_HOST: disable a host for new placements
 * @VMM_BACKEND_CAPABILITY_DIRTY_RATE: measure a guest's memory dirty rate
 * @VMM_BACKEND_CAPABILITY_TUNE_LIVE: change bandwidth and downtime of a
 *   live move while it runs
 * @VMM_BACKEND_CAPABILITY_KEEP_SOURCE_DISKS: leave the source's disk copies
 *   in place after a storage or cold move (#VmmRelocateSpec:keep-source-disks)
 *
 * What a backend can do. The engine refuses a migration that needs a missing
 * capability with %VMM_ERROR_UNSUPPORTED before anything moves.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/ {
  VMM_BACKEND_CAPABILITY_NONE = 0,
  VMM_BACKEND_CAPABILITY_HOT_HOST = 1 << 0,
  VMM_BACKEND_CAPABILITY_HOT_STORAGE = 1 << 1,
  VMM_BACKEND_CAPABILITY_HOT_HOST_AND_STORAGE = 1 << 2,
  VMM_BACKEND_CAPABILITY_COLD = 1 << 3,
  VMM_BACKEND_CAPABILITY_CROSS_MANAGER = 1 << 4,
  VMM_BACKEND_CAPABILITY_POOL_CHANGE = 1 << 5,
  VMM_BACKEND_CAPABILITY_ABORT = 1 << 6,
  VMM_BACKEND_CAPABILITY_FORCE_COMPLETE = 1 << 7,
  VMM_BACKEND_CAPABILITY_POST_COPY = 1 << 8,
  VMM_BACKEND_CAPABILITY_DISABLE_HOST = 1 << 9,
  VMM_BACKEND_CAPABILITY_DIRTY_RATE = 1 << 10,
  VMM_BACKEND_CAPABILITY_TUNE_LIVE = 1 << 11,
  VMM_BACKEND_CAPABILITY_KEEP_SOURCE_DISKS = 1 << 12,
} VmmBackendCapabilities;

/**
 * VmmStep:
 * @VMM_STEP_RESERVE_DIRECTORY: reserve the VM's directory on the target datastore
 * @VMM_STEP_CREATE_INVENTORY_VM: create the VM's placeholder in another manager
 * @VMM_STEP_CREATE_DUMMY_DISKS: create the destination disks a live storage
 *   move copies into
 * @VMM_STEP_CREATE_DESTINATION_VM: create the VM's definition at the destination
 *   (cold: and copy its disks there)
 * @VMM_STEP_REGISTER_DESTINATION_VM: register the VM's existing files on the
 *   destination host
 * @VMM_STEP_UNREGISTER_SOURCE_VM: unregister the VM from the source host,
 *   keeping its files
 * @VMM_STEP_RECONFIGURE_VM: apply device changes and disk moves to the
 *   registered VM
 * @VMM_STEP_RELAYOUT_SNAPSHOTS: lay out the snapshot chain at the destination
 * @VMM_STEP_PREPARE_SOURCE: mark the VM as migrating on the source
 * @VMM_STEP_PREPARE_DESTINATION: reserve resources on the destination
 * @VMM_STEP_INITIATE_DESTINATION: start the incoming VM on the destination
 * @VMM_STEP_INITIATE_SOURCE: transfer state and switch the VM over
 * @VMM_STEP_SWITCH_HOST_AND_POOL: update the manager's record of host and pool
 * @VMM_STEP_COMPLETE_SOURCE: release what is left on the source
 * @VMM_STEP_COMPLETE_DESTINATION: finish the VM on the destination and verify it
 * @VMM_STEP_POWER_OFF: stop a running VM on its source host so that it can
 *   move cold (the cold fallback of a live move); undone by starting it there
 *   again.
 * @VMM_STEP_POWER_ON: start the VM where the cold move put it, when it ran
 *   before the move.
 *
 * The platform steps of the workflow that a backend implements.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_STEP_RESERVE_DIRECTORY,
  VMM_STEP_CREATE_INVENTORY_VM,
  VMM_STEP_CREATE_DUMMY_DISKS,
  VMM_STEP_CREATE_DESTINATION_VM,
  VMM_STEP_REGISTER_DESTINATION_VM,
  VMM_STEP_UNREGISTER_SOURCE_VM,
  VMM_STEP_RECONFIGURE_VM,
  VMM_STEP_RELAYOUT_SNAPSHOTS,
  VMM_STEP_PREPARE_SOURCE,
  VMM_STEP_PREPARE_DESTINATION,
  VMM_STEP_INITIATE_DESTINATION,
  VMM_STEP_INITIATE_SOURCE,
  VMM_STEP_SWITCH_HOST_AND_POOL,
  VMM_STEP_COMPLETE_SOURCE,
  VMM_STEP_COMPLETE_DESTINATION,
  VMM_STEP_POWER_OFF,
  VMM_STEP_POWER_ON,
  VMM_STEP_LAST /*< skip >*/
} VmmStep;

/**
 * VmmStepMode:
 * @VMM_STEP_MODE_UNSUPPORTED: the backend cannot do this step
 * @VMM_STEP_MODE_BACKEND: the backend performs this step itself
 * @VMM_STEP_MODE_PLATFORM: the platform performs this step inside another
 *   step's call (for example inside one relocate call); shown in the plan as
 *   "done by the platform"
 * @VMM_STEP_MODE_NOT_NEEDED: nothing to do for this step on this platform
 *
 * Who performs a workflow step.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_STEP_MODE_UNSUPPORTED,
  VMM_STEP_MODE_BACKEND,
  VMM_STEP_MODE_PLATFORM,
  VMM_STEP_MODE_NOT_NEEDED,
} VmmStepMode;

VMM_AVAILABLE_IN_ALL
const char *vmm_step_get_name (VmmStep step);
VMM_AVAILABLE_IN_ALL
const char *vmm_migration_type_to_string (VmmMigrationType type);

G_END_DECLS
