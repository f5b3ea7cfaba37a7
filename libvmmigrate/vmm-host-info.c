/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

/**
 * VmmHostInfo:
 *
 * What a backend reports about one host: where it sits (manager,
 * datacenter, cluster, availability zone), its state, its CPU (model and
 * feature flags), its capacity and what is in use, the networks and
 * datastores it reaches, and the resource pool VMs land in by default.
 *
 * A plain value object: setters do not emit notifications, and strings and
 * string lists are copied.
 *
 * Since: 1.0
 */

struct _VmmHostInfo
{
  GObject parent_instance;
  char *name;
  char *manager;
  char *datacenter;
  char *cluster;
  char *zone;
  char *migration_problem;
  VmmHostState state;
  char *cpu_model;
  GStrv cpu_features;
  guint64 memory_mib;
  guint64 memory_used_mib;
  guint vcpus;
  guint vcpus_used;
  double cpu_overcommit;
  GStrv networks;
  GStrv datastores;
  GStrv pools;
  GStrv metadata;
  char *default_pool;
};

G_DEFINE_FINAL_TYPE (VmmHostInfo, vmm_host_info, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

static const char *const empty_strv[] = { NULL };

static void
vmm_host_info_set_string (char **field, const char *value)
{
  if (*field == value)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static void
vmm_host_info_set_strv (GStrv *field, const char *const *value)
{
  if ((const char *const *)*field == value)
    return;
  g_strfreev (*field);
  *field = g_strdupv ((char **)value);
}

static void
vmm_host_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmHostInfo *self = VMM_HOST_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_host_info_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VmmHostInfo *self = VMM_HOST_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      vmm_host_info_set_string (&self->name, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_host_info_finalize (GObject *object)
{
  VmmHostInfo *self = VMM_HOST_INFO (object);

  g_free (self->name);
  g_free (self->manager);
  g_free (self->datacenter);
  g_free (self->cluster);
  g_free (self->zone);
  g_free (self->migration_problem);
  g_free (self->cpu_model);
  g_strfreev (self->cpu_features);
  g_strfreev (self->networks);
  g_strfreev (self->datastores);
  g_strfreev (self->pools);
  g_strfreev (self->metadata);
  g_free (self->default_pool);

  G_OBJECT_CLASS (vmm_host_info_parent_class)->finalize (object);
}

static void
vmm_host_info_class_init (VmmHostInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_host_info_get_property;
  object_class->set_property = vmm_host_info_set_property;
  object_class->finalize = vmm_host_info_finalize;

  /**
   * VmmHostInfo:name:
   *
   * The host's name, unique within its backend.
   *
   * Since: 1.0
   */
  props[PROP_NAME]
      = g_param_spec_string ("name", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_host_info_init (VmmHostInfo *self)
{
  self->state = VMM_HOST_STATE_CONNECTED;
  self->cpu_overcommit = 1.0;
}

/**
 * vmm_host_info_new:
 * @name: the host's name
 *
 * Creates the description of a connected host with nothing else known yet
 * and a CPU overcommit ratio of 1.0.
 *
 * Returns: (transfer full): a new #VmmHostInfo
 *
 * Since: 1.0
 */
VmmHostInfo *
vmm_host_info_new (const char *name)
{
  VmmHostInfo *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (VMM_TYPE_HOST_INFO, NULL);
  self->name = g_strdup (name);
  return self;
}

/**
 * vmm_host_info_get_name:
 * @self: a #VmmHostInfo
 *
 * Gets the host's name.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_name (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->name;
}

/**
 * vmm_host_info_get_manager:
 * @self: a #VmmHostInfo
 *
 * Gets the manager (vCenter, cloud or cluster) the host belongs to.
 *
 * Returns: (nullable): the manager, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_manager (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->manager;
}

/**
 * vmm_host_info_set_manager:
 * @self: a #VmmHostInfo
 * @manager: (nullable): the manager the host belongs to
 *
 * Sets the manager (vCenter, cloud or cluster) the host belongs to.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_manager (VmmHostInfo *self, const char *manager)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_string (&self->manager, manager);
}

/**
 * vmm_host_info_get_datacenter:
 * @self: a #VmmHostInfo
 *
 * Gets the datacenter the host is in.
 *
 * Returns: (nullable): the datacenter, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_datacenter (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->datacenter;
}

/**
 * vmm_host_info_set_datacenter:
 * @self: a #VmmHostInfo
 * @datacenter: (nullable): the datacenter the host is in
 *
 * Sets the datacenter the host is in.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_datacenter (VmmHostInfo *self, const char *datacenter)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_string (&self->datacenter, datacenter);
}

/**
 * vmm_host_info_get_cluster:
 * @self: a #VmmHostInfo
 *
 * Gets the cluster (or host aggregate) the host is in.
 *
 * Returns: (nullable): the cluster, or %NULL if none
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_cluster (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->cluster;
}

/**
 * vmm_host_info_set_cluster:
 * @self: a #VmmHostInfo
 * @cluster: (nullable): the cluster the host is in
 *
 * Sets the cluster (or host aggregate) the host is in.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_cluster (VmmHostInfo *self, const char *cluster)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_string (&self->cluster, cluster);
}

/**
 * vmm_host_info_get_zone:
 * @self: a #VmmHostInfo
 *
 * Gets the availability zone the host is in.
 *
 * Returns: (nullable): the zone, or %NULL if none
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_zone (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->zone;
}

/**
 * vmm_host_info_set_zone:
 * @self: a #VmmHostInfo
 * @zone: (nullable): the availability zone the host is in
 *
 * Sets the availability zone the host is in.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_zone (VmmHostInfo *self, const char *zone)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_string (&self->zone, zone);
}

/**
 * vmm_host_info_get_migration_problem:
 * @self: a #VmmHostInfo
 *
 * Why live moves cannot reach this host or leave it, when the backend can
 * tell (seed 003: the migration network, its TLS or port): for example no
 * interface enabled for live migration. The engine refuses a live host move
 * from or to such a host with the check `host-unreachable`.
 *
 * Returns: (nullable): the problem, or %NULL when none is known
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_migration_problem (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->migration_problem;
}

/**
 * vmm_host_info_set_migration_problem:
 * @self: a #VmmHostInfo
 * @problem: (nullable): why live moves cannot reach the host, or %NULL
 *
 * Sets why live moves cannot reach this host or leave it.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_migration_problem (VmmHostInfo *self, const char *problem)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_string (&self->migration_problem, problem);
}

/**
 * vmm_host_info_get_state:
 * @self: a #VmmHostInfo
 *
 * Gets the host's state.
 *
 * Returns: the state, %VMM_HOST_STATE_CONNECTED by default
 *
 * Since: 1.0
 */
VmmHostState
vmm_host_info_get_state (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), VMM_HOST_STATE_DOWN);
  return self->state;
}

/**
 * vmm_host_info_set_state:
 * @self: a #VmmHostInfo
 * @state: a #VmmHostState
 *
 * Sets the host's state.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_state (VmmHostInfo *self, VmmHostState state)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  g_return_if_fail ((guint)state <= VMM_HOST_STATE_DOWN);
  self->state = state;
}

/**
 * vmm_host_info_get_cpu_model:
 * @self: a #VmmHostInfo
 *
 * Gets the host's CPU model.
 *
 * Returns: (nullable): the CPU model, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_cpu_model (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->cpu_model;
}

/**
 * vmm_host_info_set_cpu_model:
 * @self: a #VmmHostInfo
 * @model: (nullable): the CPU model
 *
 * Sets the host's CPU model.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_cpu_model (VmmHostInfo *self, const char *model)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_string (&self->cpu_model, model);
}

/**
 * vmm_host_info_get_cpu_features:
 * @self: a #VmmHostInfo
 *
 * Gets the CPU feature flags the host offers to guests.
 *
 * Returns: (transfer none) (array zero-terminated=1): the feature flags,
 *   empty if unknown
 *
 * Since: 1.0
 */
const char *const *
vmm_host_info_get_cpu_features (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->cpu_features != NULL ? (const char *const *)self->cpu_features : empty_strv;
}

/**
 * vmm_host_info_set_cpu_features:
 * @self: a #VmmHostInfo
 * @features: (nullable) (array zero-terminated=1): the CPU feature flags
 *
 * Sets the CPU feature flags the host offers to guests.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_cpu_features (VmmHostInfo *self, const char *const *features)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_strv (&self->cpu_features, features);
}

/**
 * vmm_host_info_has_cpu_feature:
 * @self: a #VmmHostInfo
 * @feature: a CPU feature flag, for example `avx2`
 *
 * Tells whether the host offers @feature (an exact, case-sensitive match).
 *
 * Returns: %TRUE if the host has @feature
 *
 * Since: 1.0
 */
gboolean
vmm_host_info_has_cpu_feature (VmmHostInfo *self, const char *feature)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), FALSE);
  g_return_val_if_fail (feature != NULL, FALSE);
  return self->cpu_features != NULL
         && g_strv_contains ((const char *const *)self->cpu_features, feature);
}

/**
 * vmm_host_info_get_memory_mib:
 * @self: a #VmmHostInfo
 *
 * Gets the memory the host offers to VMs.
 *
 * Returns: the memory in MiB
 *
 * Since: 1.0
 */
guint64
vmm_host_info_get_memory_mib (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), 0);
  return self->memory_mib;
}

/**
 * vmm_host_info_set_memory_mib:
 * @self: a #VmmHostInfo
 * @mib: the memory in MiB
 *
 * Sets the memory the host offers to VMs.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_memory_mib (VmmHostInfo *self, guint64 mib)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  self->memory_mib = mib;
}

/**
 * vmm_host_info_get_memory_used_mib:
 * @self: a #VmmHostInfo
 *
 * Gets the memory the host's VMs use.
 *
 * Returns: the memory in use, in MiB
 *
 * Since: 1.0
 */
guint64
vmm_host_info_get_memory_used_mib (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), 0);
  return self->memory_used_mib;
}

/**
 * vmm_host_info_set_memory_used_mib:
 * @self: a #VmmHostInfo
 * @mib: the memory in use, in MiB
 *
 * Sets the memory the host's VMs use.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_memory_used_mib (VmmHostInfo *self, guint64 mib)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  self->memory_used_mib = mib;
}

/**
 * vmm_host_info_get_vcpus:
 * @self: a #VmmHostInfo
 *
 * Gets the number of physical CPUs (threads) of the host.
 *
 * Returns: the number of CPUs
 *
 * Since: 1.0
 */
guint
vmm_host_info_get_vcpus (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), 0);
  return self->vcpus;
}

/**
 * vmm_host_info_set_vcpus:
 * @self: a #VmmHostInfo
 * @vcpus: the number of CPUs
 *
 * Sets the number of physical CPUs (threads) of the host.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_vcpus (VmmHostInfo *self, guint vcpus)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  self->vcpus = vcpus;
}

/**
 * vmm_host_info_get_vcpus_used:
 * @self: a #VmmHostInfo
 *
 * Gets the number of virtual CPUs of the VMs on the host.
 *
 * Returns: the number of virtual CPUs in use
 *
 * Since: 1.0
 */
guint
vmm_host_info_get_vcpus_used (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), 0);
  return self->vcpus_used;
}

/**
 * vmm_host_info_set_vcpus_used:
 * @self: a #VmmHostInfo
 * @vcpus: the number of virtual CPUs in use
 *
 * Sets the number of virtual CPUs of the VMs on the host.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_vcpus_used (VmmHostInfo *self, guint vcpus)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  self->vcpus_used = vcpus;
}

/**
 * vmm_host_info_get_cpu_overcommit:
 * @self: a #VmmHostInfo
 *
 * Gets how many virtual CPUs the host accepts per physical CPU.
 *
 * Returns: the overcommit ratio, 1.0 by default
 *
 * Since: 1.0
 */
double
vmm_host_info_get_cpu_overcommit (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), 1.0);
  return self->cpu_overcommit;
}

/**
 * vmm_host_info_set_cpu_overcommit:
 * @self: a #VmmHostInfo
 * @ratio: the overcommit ratio, greater than 0
 *
 * Sets how many virtual CPUs the host accepts per physical CPU.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_cpu_overcommit (VmmHostInfo *self, double ratio)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  g_return_if_fail (ratio > 0);
  self->cpu_overcommit = ratio;
}

/**
 * vmm_host_info_get_networks:
 * @self: a #VmmHostInfo
 *
 * Gets the networks the host's VMs can attach to.
 *
 * Returns: (transfer none) (array zero-terminated=1): the network names,
 *   empty if none
 *
 * Since: 1.0
 */
const char *const *
vmm_host_info_get_networks (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->networks != NULL ? (const char *const *)self->networks : empty_strv;
}

/**
 * vmm_host_info_set_networks:
 * @self: a #VmmHostInfo
 * @networks: (nullable) (array zero-terminated=1): the network names
 *
 * Sets the networks the host's VMs can attach to.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_networks (VmmHostInfo *self, const char *const *networks)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_strv (&self->networks, networks);
}

/**
 * vmm_host_info_has_network:
 * @self: a #VmmHostInfo
 * @network: a network name
 *
 * Tells whether the host's VMs can attach to @network (an exact match).
 *
 * Returns: %TRUE if the host has @network
 *
 * Since: 1.0
 */
gboolean
vmm_host_info_has_network (VmmHostInfo *self, const char *network)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), FALSE);
  g_return_val_if_fail (network != NULL, FALSE);
  return self->networks != NULL && g_strv_contains ((const char *const *)self->networks, network);
}

/**
 * vmm_host_info_get_datastores:
 * @self: a #VmmHostInfo
 *
 * Gets the datastores the host has mounted.
 *
 * Returns: (transfer none) (array zero-terminated=1): the datastore names,
 *   empty if none
 *
 * Since: 1.0
 */
const char *const *
vmm_host_info_get_datastores (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->datastores != NULL ? (const char *const *)self->datastores : empty_strv;
}

/**
 * vmm_host_info_set_datastores:
 * @self: a #VmmHostInfo
 * @datastores: (nullable) (array zero-terminated=1): the datastore names
 *
 * Sets the datastores the host has mounted.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_datastores (VmmHostInfo *self, const char *const *datastores)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_strv (&self->datastores, datastores);
}

/**
 * vmm_host_info_has_datastore:
 * @self: a #VmmHostInfo
 * @datastore: a datastore name
 *
 * Tells whether the host has @datastore mounted (an exact match).
 *
 * Returns: %TRUE if the host has @datastore
 *
 * Since: 1.0
 */
gboolean
vmm_host_info_has_datastore (VmmHostInfo *self, const char *datastore)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), FALSE);
  g_return_val_if_fail (datastore != NULL, FALSE);
  return self->datastores != NULL
         && g_strv_contains ((const char *const *)self->datastores, datastore);
}

/**
 * vmm_host_info_get_pools:
 * @self: a #VmmHostInfo
 *
 * The resource pools VMs on this host may belong to.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the pools,
 *   or %NULL when the backend does not model pools (any pool is accepted)
 *
 * Since: 1.0
 */
const char *const *
vmm_host_info_get_pools (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return (const char *const *)self->pools;
}

/**
 * vmm_host_info_set_pools:
 * @self: a #VmmHostInfo
 * @pools: (nullable) (array zero-terminated=1): the pools, or %NULL
 *
 * Sets the resource pools VMs on this host may belong to.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_pools (VmmHostInfo *self, const char *const *pools)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_strv (&self->pools, pools);
}

/**
 * vmm_host_info_has_pool:
 * @self: a #VmmHostInfo
 * @pool: a pool name
 *
 * Whether a VM on this host may belong to @pool.
 *
 * Returns: %TRUE if the host has @pool, or models no pools
 *
 * Since: 1.0
 */
gboolean
vmm_host_info_has_pool (VmmHostInfo *self, const char *pool)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), FALSE);
  g_return_val_if_fail (pool != NULL, FALSE);
  return self->pools == NULL || g_strv_contains ((const char *const *)self->pools, pool);
}

/**
 * vmm_host_info_get_default_pool:
 * @self: a #VmmHostInfo
 *
 * Gets the resource pool VMs moved to this host land in unless the spec
 * names one.
 *
 * Returns: (nullable): the default pool, or %NULL if none
 *
 * Since: 1.0
 */
const char *
vmm_host_info_get_default_pool (VmmHostInfo *self)
{
  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->default_pool;
}

/**
 * vmm_host_info_set_default_pool:
 * @self: a #VmmHostInfo
 * @pool: (nullable): the default pool
 *
 * Sets the resource pool VMs moved to this host land in unless the spec
 * names one.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_default_pool (VmmHostInfo *self, const char *pool)
{
  g_return_if_fail (VMM_IS_HOST_INFO (self));
  vmm_host_info_set_string (&self->default_pool, pool);
}

/**
 * vmm_host_info_get_metadata:
 * @self: a #VmmHostInfo
 *
 * The host's aggregate metadata (Nova host aggregates, vSphere host tags...)
 * as `key=value` strings.
 *
 * Returns: (transfer none) (array zero-terminated=1): the metadata
 *
 * Since: 1.0
 */
const char *const *
vmm_host_info_get_metadata (VmmHostInfo *self)
{
  static const char *const none[] = { NULL };

  g_return_val_if_fail (VMM_IS_HOST_INFO (self), NULL);
  return self->metadata != NULL ? (const char *const *)self->metadata : none;
}

/**
 * vmm_host_info_set_metadata:
 * @self: a #VmmHostInfo
 * @metadata: (nullable) (array zero-terminated=1): `key=value` strings
 *
 * Sets the host's aggregate metadata.
 *
 * Since: 1.0
 */
void
vmm_host_info_set_metadata (VmmHostInfo *self, const char *const *metadata)
{
  char **copy;

  g_return_if_fail (VMM_IS_HOST_INFO (self));
  copy = g_strdupv ((char **)metadata);
  g_strfreev (self->metadata);
  self->metadata = copy;
}
