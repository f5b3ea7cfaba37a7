/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-libvirt-util.h"

#include <glib-unix.h>

/* --- libvirt's event loop ---
 *
 * libvirt delivers domain events (block jobs, migration iterations) and
 * keeps connections alive only while an event loop runs. Its default
 * implementation (GLib-based since libvirt 6) iterates the process's global
 * default GMainContext, the caller's; so this backend registers its own
 * implementation, on a private GMainContext run by a thread of its own:
 * libvirt's callbacks never run on the caller's context and the caller's
 * sources never run on libvirt's thread. Callbacks only record state under
 * a lock and wake the worker that waits for it. */

typedef struct
{
  int fd;
  int events;
  virEventHandleCallback cb;
  void *opaque;
  virFreeCallback ff;
  GSource *source;
} LvHandle;

typedef struct
{
  int interval;
  virEventTimeoutCallback cb;
  void *opaque;
  virFreeCallback ff;
  GSource *source;
} LvTimer;

typedef struct
{
  virFreeCallback ff;
  void *opaque;
} LvFree;

static GMutex lv_ev_lock;
static GMainContext *lv_ev_context;
static GHashTable *lv_handles; /* id -> LvHandle */
static GHashTable *lv_timers;  /* id -> LvTimer */
static int lv_ev_next_id = 1;

static GIOCondition
lv_to_condition (int events)
{
  GIOCondition cond = 0;

  if (events & VIR_EVENT_HANDLE_READABLE)
    cond |= G_IO_IN | G_IO_PRI;
  if (events & VIR_EVENT_HANDLE_WRITABLE)
    cond |= G_IO_OUT;
  if (events & VIR_EVENT_HANDLE_ERROR)
    cond |= G_IO_ERR;
  if (events & VIR_EVENT_HANDLE_HANGUP)
    cond |= G_IO_HUP;
  return cond;
}

static int
lv_to_events (GIOCondition cond)
{
  int events = 0;

  if (cond & (G_IO_IN | G_IO_PRI))
    events |= VIR_EVENT_HANDLE_READABLE;
  if (cond & G_IO_OUT)
    events |= VIR_EVENT_HANDLE_WRITABLE;
  if (cond & (G_IO_ERR | G_IO_NVAL))
    events |= VIR_EVENT_HANDLE_ERROR;
  if (cond & G_IO_HUP)
    events |= VIR_EVENT_HANDLE_HANGUP;
  return events;
}

static gboolean
lv_free_idle (gpointer data)
{
  LvFree *f = data;

  f->ff (f->opaque);
  g_free (f);
  return G_SOURCE_REMOVE;
}

/* libvirt wants the free callback called, but not from inside remove */
static void
lv_defer_free (virFreeCallback ff, void *opaque)
{
  GSource *idle;
  LvFree *f;

  if (ff == NULL)
    return;
  f = g_new0 (LvFree, 1);
  f->ff = ff;
  f->opaque = opaque;
  idle = g_idle_source_new ();
  g_source_set_callback (idle, lv_free_idle, f, NULL);
  g_source_attach (idle, lv_ev_context);
  g_source_unref (idle);
}

static void
lv_drop_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_source_unref (*source);
      *source = NULL;
    }
}

static gboolean
lv_handle_dispatch (gint fd, GIOCondition cond, gpointer data)
{
  int id = GPOINTER_TO_INT (data);
  virEventHandleCallback cb = NULL;
  void *opaque = NULL;
  LvHandle *h;

  g_mutex_lock (&lv_ev_lock);
  h = g_hash_table_lookup (lv_handles, data);
  if (h != NULL)
    {
      cb = h->cb;
      opaque = h->opaque;
    }
  g_mutex_unlock (&lv_ev_lock);
  if (cb != NULL)
    cb (id, fd, lv_to_events (cond), opaque);
  return G_SOURCE_CONTINUE;
}

/* called with lv_ev_lock held */
static void
lv_handle_arm (int id, LvHandle *h)
{
  lv_drop_source (&h->source);
  if (h->events == 0)
    return;
  h->source = g_unix_fd_source_new (h->fd, lv_to_condition (h->events));
  g_source_set_callback (h->source, (GSourceFunc)(void (*) (void))lv_handle_dispatch,
                         GINT_TO_POINTER (id), NULL);
  g_source_attach (h->source, lv_ev_context);
}

static int
lv_add_handle (int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
  LvHandle *h = g_new0 (LvHandle, 1);
  int id;

  h->fd = fd;
  h->events = events;
  h->cb = cb;
  h->opaque = opaque;
  h->ff = ff;
  g_mutex_lock (&lv_ev_lock);
  id = lv_ev_next_id++;
  g_hash_table_insert (lv_handles, GINT_TO_POINTER (id), h);
  lv_handle_arm (id, h);
  g_mutex_unlock (&lv_ev_lock);
  return id;
}

static void
lv_update_handle (int id, int events)
{
  LvHandle *h;

  g_mutex_lock (&lv_ev_lock);
  h = g_hash_table_lookup (lv_handles, GINT_TO_POINTER (id));
  if (h != NULL && h->events != events)
    {
      h->events = events;
      lv_handle_arm (id, h);
    }
  g_mutex_unlock (&lv_ev_lock);
}

static int
lv_remove_handle (int id)
{
  LvHandle *h;

  g_mutex_lock (&lv_ev_lock);
  h = g_hash_table_lookup (lv_handles, GINT_TO_POINTER (id));
  if (h != NULL)
    {
      g_hash_table_steal (lv_handles, GINT_TO_POINTER (id));
      lv_drop_source (&h->source);
      lv_defer_free (h->ff, h->opaque);
    }
  g_mutex_unlock (&lv_ev_lock);
  g_free (h);
  return h != NULL ? 0 : -1;
}

static gboolean
lv_timer_dispatch (gpointer data)
{
  int id = GPOINTER_TO_INT (data);
  virEventTimeoutCallback cb = NULL;
  void *opaque = NULL;
  LvTimer *t;

  g_mutex_lock (&lv_ev_lock);
  t = g_hash_table_lookup (lv_timers, data);
  if (t != NULL)
    {
      cb = t->cb;
      opaque = t->opaque;
    }
  g_mutex_unlock (&lv_ev_lock);
  if (cb != NULL)
    cb (id, opaque);
  return G_SOURCE_CONTINUE;
}

/* called with lv_ev_lock held: -1 disabled, 0 every iteration, else ms */
static void
lv_timer_arm (int id, LvTimer *t)
{
  lv_drop_source (&t->source);
  if (t->interval < 0)
    return;
  t->source = t->interval == 0 ? g_idle_source_new () : g_timeout_source_new ((guint)t->interval);
  g_source_set_callback (t->source, lv_timer_dispatch, GINT_TO_POINTER (id), NULL);
  g_source_attach (t->source, lv_ev_context);
}

static int
lv_add_timeout (int interval, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
  LvTimer *t = g_new0 (LvTimer, 1);
  int id;

  t->interval = interval;
  t->cb = cb;
  t->opaque = opaque;
  t->ff = ff;
  g_mutex_lock (&lv_ev_lock);
  id = lv_ev_next_id++;
  g_hash_table_insert (lv_timers, GINT_TO_POINTER (id), t);
  lv_timer_arm (id, t);
  g_mutex_unlock (&lv_ev_lock);
  return id;
}

static void
lv_update_timeout (int id, int interval)
{
  LvTimer *t;

  g_mutex_lock (&lv_ev_lock);
  t = g_hash_table_lookup (lv_timers, GINT_TO_POINTER (id));
  if (t != NULL)
    {
      t->interval = interval;
      lv_timer_arm (id, t);
    }
  g_mutex_unlock (&lv_ev_lock);
}

static int
lv_remove_timeout (int id)
{
  LvTimer *t;

  g_mutex_lock (&lv_ev_lock);
  t = g_hash_table_lookup (lv_timers, GINT_TO_POINTER (id));
  if (t != NULL)
    {
      g_hash_table_steal (lv_timers, GINT_TO_POINTER (id));
      lv_drop_source (&t->source);
      lv_defer_free (t->ff, t->opaque);
    }
  g_mutex_unlock (&lv_ev_lock);
  g_free (t);
  return t != NULL ? 0 : -1;
}

static gpointer
lv_event_thread (gpointer data)
{
  g_main_context_push_thread_default (lv_ev_context);
  for (;;)
    g_main_context_iteration (lv_ev_context, TRUE);
  return NULL;
}

static void
lv_silent_error (void *data, virErrorPtr err)
{
  /* errors are read with virGetLastError() and returned as GErrors */
}

void
lv_ensure_event_loop (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      virInitialize ();
      virSetErrorFunc (NULL, lv_silent_error);
      lv_ev_context = g_main_context_new ();
      lv_handles = g_hash_table_new (NULL, NULL);
      lv_timers = g_hash_table_new (NULL, NULL);
      virEventRegisterImpl (lv_add_handle, lv_update_handle, lv_remove_handle, lv_add_timeout,
                            lv_update_timeout, lv_remove_timeout);
      g_thread_unref (g_thread_new ("vmm-libvirt-events", lv_event_thread, NULL));
      xmlInitParser ();
      g_once_init_leave (&once, 1);
    }
}

/* --- errors --- */

static int
lv_map_code (int vir_code, int fallback)
{
  switch (vir_code)
    {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_NO_NETWORK:
      return VMM_ERROR_NOT_FOUND;
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_ACCESS_DENIED:
      return VMM_ERROR_PERMISSION_DENIED;
    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_AGENT_UNRESPONSIVE:
      return VMM_ERROR_TIMEOUT;
    case VIR_ERR_CPU_INCOMPATIBLE:
      return VMM_ERROR_INCOMPATIBLE;
    default:
      return fallback;
    }
}

gboolean
lv_last_error_is (int code)
{
  virErrorPtr err = virGetLastError ();

  return err != NULL && err->code == code;
}

/* Sets @error from the calling thread's last libvirt error: the VMM_ERROR code
 * follows libvirt's error number where one fits (@code otherwise), and
 * libvirt's own message is kept after ours. */
void
lv_set_error (GError **error, int code, const char *fmt, ...)
{
  virErrorPtr err = virGetLastError ();
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  if (err == NULL || err->message == NULL)
    {
      g_set_error_literal (error, VMM_ERROR, code, msg);
      return;
    }
  g_set_error (error, VMM_ERROR, lv_map_code (err->code, code), "%s: libvirt: %s", msg,
               err->message);
}

/* --- domain XML --- */

void
lv_domain_xml_free (LvDomainXml *info)
{
  g_ptr_array_unref (info->disks);
  g_ptr_array_unref (info->nics);
  g_free (info->cpu_mode);
  g_free (info->cpu_model);
  g_strfreev (info->cpu_required);
  g_free (info->cpu_xml);
  g_free (info->emulator);
  g_free (info->arch);
  g_free (info->machine);
  g_free (info->virt_type);
  g_free (info);
}

static void
lv_disk_xml_free (LvDiskXml *disk)
{
  g_free (disk->key);
  g_free (disk->device);
  g_free (disk->path);
  g_free (disk->format);
  g_free (disk);
}

static void
lv_nic_xml_free (LvNicXml *nic)
{
  g_free (nic->key);
  g_free (nic->type);
  g_free (nic->network);
  g_free (nic);
}

static char *
lv_prop (xmlNode *node, const char *name)
{
  xmlChar *value;
  char *copy;

  if (node == NULL)
    return NULL;
  value = xmlGetProp (node, (const xmlChar *)name);
  if (value == NULL)
    return NULL;
  copy = g_strdup ((const char *)value);
  xmlFree (value);
  return copy;
}

static xmlNode *
lv_child (xmlNode *node, const char *name)
{
  for (xmlNode *c = node != NULL ? node->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE && xmlStrEqual (c->name, (const xmlChar *)name))
      return c;
  return NULL;
}

static char *
lv_text (xmlNode *node)
{
  xmlChar *value;
  char *copy;

  if (node == NULL)
    return NULL;
  value = xmlNodeGetContent (node);
  if (value == NULL)
    return NULL;
  copy = g_strstrip (g_strdup ((const char *)value));
  xmlFree (value);
  return copy;
}

static xmlDoc *
lv_parse (const char *xml, GError **error)
{
  xmlDoc *doc = xmlReadMemory (xml, (int)strlen (xml), "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      const xmlError *err = xmlGetLastError ();
      /* libxml2 quotes the bytes it choked on, which need not be UTF-8 */
      g_autofree char *msg = err != NULL && err->message != NULL
                                 ? g_utf8_make_valid (err->message, -1)
                                 : g_strdup ("empty");

      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "libvirt: cannot parse the XML: %s",
                   g_strstrip (msg));
      if (doc != NULL)
        xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

static xmlXPathObject *
lv_xpath (xmlXPathContext *xpath, const char *expr)
{
  xmlXPathObject *obj = xmlXPathEvalExpression ((const xmlChar *)expr, xpath);

  if (obj != NULL && (obj->nodesetval == NULL || obj->nodesetval->nodeNr == 0))
    {
      xmlXPathFreeObject (obj);
      return NULL;
    }
  return obj;
}

static char *
lv_disk_source (xmlNode *disk)
{
  xmlNode *source = lv_child (disk, "source");
  char *path;

  if (source == NULL)
    return NULL;
  path = lv_prop (source, "file");
  if (path == NULL)
    path = lv_prop (source, "dev");
  return path;
}

LvDomainXml *
lv_domain_xml_parse (const char *xml, GError **error)
{
  g_autoptr (xmlDoc) doc = lv_parse (xml, error);
  g_autoptr (xmlXPathContext) xpath = NULL;
  g_autoptr (xmlXPathObject) obj = NULL;
  g_autoptr (LvDomainXml) info = NULL;
  xmlNode *root;

  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  info = g_new0 (LvDomainXml, 1);
  info->disks = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_disk_xml_free);
  info->nics = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_nic_xml_free);
  info->virt_type = lv_prop (root, "type");
  xpath = xmlXPathNewContext (doc);

  obj = lv_xpath (xpath, "/domain/os/type");
  if (obj != NULL)
    {
      info->arch = lv_prop (obj->nodesetval->nodeTab[0], "arch");
      info->machine = lv_prop (obj->nodesetval->nodeTab[0], "machine");
    }
  g_clear_pointer (&obj, xmlXPathFreeObject);
  obj = lv_xpath (xpath, "/domain/devices/emulator");
  if (obj != NULL)
    info->emulator = lv_text (obj->nodesetval->nodeTab[0]);
  g_clear_pointer (&obj, xmlXPathFreeObject);

  obj = lv_xpath (xpath, "/domain/devices/disk");
  for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++)
    {
      xmlNode *node = obj->nodesetval->nodeTab[i];
      LvDiskXml *disk = g_new0 (LvDiskXml, 1);

      disk->device = lv_prop (node, "device");
      if (disk->device == NULL)
        disk->device = g_strdup ("disk");
      disk->key = lv_prop (lv_child (node, "target"), "dev");
      disk->path = lv_disk_source (node);
      disk->format = lv_prop (lv_child (node, "driver"), "type");
      disk->readonly = lv_child (node, "readonly") != NULL;
      if (disk->key == NULL)
        disk->key = g_strdup_printf ("disk%d", i);
      g_ptr_array_add (info->disks, disk);
    }
  g_clear_pointer (&obj, xmlXPathFreeObject);

  obj = lv_xpath (xpath, "/domain/devices/interface");
  for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++)
    {
      xmlNode *node = obj->nodesetval->nodeTab[i];
      xmlNode *source = lv_child (node, "source");
      LvNicXml *nic = g_new0 (LvNicXml, 1);

      nic->type = lv_prop (node, "type");
      nic->key = lv_prop (lv_child (node, "mac"), "address");
      if (nic->key == NULL)
        nic->key = g_strdup_printf ("net%d", i);
      nic->network = lv_prop (source, "network");
      if (nic->network == NULL)
        nic->network = lv_prop (source, "bridge");
      g_ptr_array_add (info->nics, nic);
    }
  g_clear_pointer (&obj, xmlXPathFreeObject);

  obj = lv_xpath (xpath, "/domain/cpu");
  if (obj != NULL)
    {
      xmlNode *cpu = obj->nodesetval->nodeTab[0];
      g_autoptr (GStrvBuilder) required = g_strv_builder_new ();
      xmlBuffer *buf = xmlBufferCreate ();

      info->cpu_mode = lv_prop (cpu, "mode");
      info->cpu_model = lv_text (lv_child (cpu, "model"));
      for (xmlNode *c = cpu->children; c != NULL; c = c->next)
        {
          g_autofree char *policy = NULL;
          g_autofree char *name = NULL;

          if (c->type != XML_ELEMENT_NODE || !xmlStrEqual (c->name, (const xmlChar *)"feature"))
            continue;
          policy = lv_prop (c, "policy");
          name = lv_prop (c, "name");
          if (name != NULL
              && (policy == NULL || g_str_equal (policy, "require")
                  || g_str_equal (policy, "force")))
            g_strv_builder_add (required, name);
        }
      info->cpu_required = g_strv_builder_end (required);
      if (xmlNodeDump (buf, doc, cpu, 0, 0) > 0)
        info->cpu_xml = g_strdup ((const char *)xmlBufferContent (buf));
      xmlBufferFree (buf);
    }
  else
    info->cpu_required = g_new0 (char *, 1);
  return g_steal_pointer (&info);
}

/* Returns @xml with the source file of each disk named in @disk_paths (target
 * dev -> new path) replaced and each interface's network renamed through
 * @network_map (old -> new); either table may be NULL. */
char *
lv_domain_xml_rewrite (const char *xml, GHashTable *disk_paths, GHashTable *network_map,
                       GError **error)
{
  g_autoptr (xmlDoc) doc = lv_parse (xml, error);
  g_autoptr (xmlXPathContext) xpath = NULL;
  g_autoptr (xmlXPathObject) disks = NULL;
  g_autoptr (xmlXPathObject) nics = NULL;
  xmlChar *out = NULL;
  int len = 0;
  char *result;

  if (doc == NULL)
    return NULL;
  xpath = xmlXPathNewContext (doc);
  /* a domain, or a snapshot's copies of its domain (live and inactive) */
  disks = lv_xpath (xpath, "/domain/devices/disk | /domainsnapshot/domain/devices/disk"
                           " | /domainsnapshot/inactiveDomain/devices/disk");
  for (int i = 0; disks != NULL && disk_paths != NULL && i < disks->nodesetval->nodeNr; i++)
    {
      xmlNode *node = disks->nodesetval->nodeTab[i];
      g_autofree char *key = lv_prop (lv_child (node, "target"), "dev");
      const char *path = key != NULL ? g_hash_table_lookup (disk_paths, key) : NULL;
      xmlNode *source;

      if (path == NULL)
        continue;
      source = lv_child (node, "source");
      if (source == NULL)
        source = xmlNewChild (node, NULL, (const xmlChar *)"source", NULL);
      /* a file on its new pool: drop what named the old place */
      xmlUnsetProp (source, (const xmlChar *)"pool");
      xmlUnsetProp (source, (const xmlChar *)"volume");
      xmlUnsetProp (source, (const xmlChar *)"dev");
      xmlSetProp (node, (const xmlChar *)"type", (const xmlChar *)"file");
      xmlSetProp (source, (const xmlChar *)"file", (const xmlChar *)path);
    }
  nics = lv_xpath (xpath, "/domain/devices/interface | /domainsnapshot/domain/devices/interface"
                          " | /domainsnapshot/inactiveDomain/devices/interface");
  for (int i = 0; nics != NULL && network_map != NULL && i < nics->nodesetval->nodeNr; i++)
    {
      xmlNode *source = lv_child (nics->nodesetval->nodeTab[i], "source");
      g_autofree char *net = lv_prop (source, "network");
      const char *attr = "network";
      const char *mapped;

      if (net == NULL)
        {
          net = lv_prop (source, "bridge");
          attr = "bridge";
        }
      mapped = net != NULL ? g_hash_table_lookup (network_map, net) : NULL;
      if (mapped != NULL)
        xmlSetProp (source, (const xmlChar *)attr, (const xmlChar *)mapped);
    }
  /* UTF-8 whatever the input declared: libvirt takes the XML as a C string,
   * which a UTF-16 document would cut short */
  xmlDocDumpMemoryEnc (doc, &out, &len, "UTF-8");
  if (out == NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BACKEND,
                           "libvirt: cannot write the domain XML");
      return NULL;
    }
  result = g_strndup ((const char *)out, (gsize)len);
  xmlFree (out);
  return result;
}

/* The target directory of a storage pool's XML (dir, fs, netfs pools). */
char *
lv_pool_xml_target_path (const char *xml)
{
  g_autoptr (xmlDoc) doc = lv_parse (xml, NULL);
  g_autoptr (xmlXPathContext) xpath = NULL;
  g_autoptr (xmlXPathObject) obj = NULL;

  if (doc == NULL)
    return NULL;
  xpath = xmlXPathNewContext (doc);
  obj = lv_xpath (xpath, "/pool/target/path");
  return obj != NULL ? lv_text (obj->nodesetval->nodeTab[0]) : NULL;
}
