/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define VMM_INSIDE

#include "vmm-version.h"
#include "vmm-types.h"
#include "vmm-enum-types.h"
#include "vmm-error.h"
#include "vmm-disk-locator.h"
#include "vmm-service-locator.h"
#include "vmm-relocate-spec.h"
#include "vmm-check.h"
#include "vmm-candidate.h"
#include "vmm-host-info.h"
#include "vmm-datastore-info.h"
#include "vmm-disk-info.h"
#include "vmm-device-info.h"
#include "vmm-vm-info.h"
#include "vmm-inventory.h"
#include "vmm-vm-location.h"
#include "vmm-backend.h"
#include "vmm-migration-context.h"
#include "vmm-action.h"
#include "vmm-plan.h"
#include "vmm-migration-result.h"
#include "vmm-migration.h"
#include "vmm-evacuation-entry.h"
#include "vmm-journal.h"
#include "vmm-recovery-entry.h"
#include "vmm-engine.h"
#include "vmm-sim-backend.h"

#undef VMM_INSIDE
