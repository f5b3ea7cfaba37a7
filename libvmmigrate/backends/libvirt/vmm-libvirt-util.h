/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "vmm-private.h"

G_BEGIN_DECLS

/* Private helpers of the libvirt backend: libvirt's errors as GErrors, its
 * event loop in a thread of its own, and the domain XML read and rewritten
 * with libxml2. Nothing here is public API. */

static inline void
lv_connect_close (virConnect *conn)
{
  virConnectClose (conn);
}
static inline void
lv_domain_free (virDomain *dom)
{
  virDomainFree (dom);
}
static inline void
lv_pool_free (virStoragePool *pool)
{
  virStoragePoolFree (pool);
}
static inline void
lv_vol_free (virStorageVol *vol)
{
  virStorageVolFree (vol);
}
static inline void
lv_stream_free (virStream *st)
{
  virStreamFree (st);
}
static inline void
lv_network_free (virNetwork *net)
{
  virNetworkFree (net);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (virConnect, lv_connect_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (virDomain, lv_domain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (virStoragePool, lv_pool_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (virStorageVol, lv_vol_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (virStream, lv_stream_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (virNetwork, lv_network_free)
static inline void
lv_snapshot_free (virDomainSnapshot *snap)
{
  virDomainSnapshotFree (snap);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (virDomainSnapshot, lv_snapshot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathObject, xmlXPathFreeObject)

/* A disk, CD-ROM or floppy of a domain, as its XML says. */
typedef struct
{
  char *key;    /* target dev: vda, sdb... */
  char *device; /* disk, cdrom, floppy, lun */
  char *path;   /* source file or block device; NULL when empty */
  char *format; /* driver type: qcow2, raw... */
  gboolean readonly;
} LvDiskXml;

/* A network interface: its MAC and the libvirt network or bridge it uses. */
typedef struct
{
  char *key; /* MAC address, or netN */
  char *type;
  char *network; /* network name or bridge name */
} LvNicXml;

typedef struct
{
  GPtrArray *disks; /* LvDiskXml */
  GPtrArray *nics;  /* LvNicXml */
  char *cpu_mode;
  char *cpu_model;
  char **cpu_required; /* features with policy require or force */
  char *cpu_xml;       /* the <cpu> element, for virConnectCompareHypervisorCPU */
  char *emulator;
  char *arch;
  char *machine;
  char *virt_type;
} LvDomainXml;

void
lv_domain_xml_free (LvDomainXml *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LvDomainXml, lv_domain_xml_free)

void
lv_ensure_event_loop (void);
void
lv_set_error (GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
gboolean
lv_last_error_is (int code);

LvDomainXml *
lv_domain_xml_parse (const char *xml, GError **error);
/* Also rewrites a snapshot's XML (<domainsnapshot>): the disks and NICs of
 * the domain copies it carries. */
char *
lv_domain_xml_rewrite (const char *xml, GHashTable *disk_paths, GHashTable *network_map,
                       GError **error);
char *
lv_pool_xml_target_path (const char *xml);

G_END_DECLS
