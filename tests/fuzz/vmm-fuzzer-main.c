/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-fuzzer.h"

#include <glib/gstdio.h>
#include <stdio.h>

/* Without libFuzzer: runs every file of the corpus directories (or the
 * files) named on the command line through LLVMFuzzerTestOneInput(), so
 * that the checked-in corpus is an ordinary test (meson suite `fuzzing`). */

static gboolean
run_file (const char *path, guint *n_run, GError **error)
{
  g_autofree char *data = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &data, &size, error))
    return FALSE;
  g_print ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, size);
  LLVMFuzzerTestOneInput ((const uint8_t *)data, size);
  (*n_run)++;
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

static gboolean
run_path (const char *path, guint *n_run, GError **error)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return run_file (path, n_run, error);
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    if (!run_file (g_ptr_array_index (names, i), n_run, error))
      return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint n_run = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!run_path (argv[i], &n_run, &error))
        {
          g_printerr ("%s: %s\n", argv[i], error->message);
          return 1;
        }
    }
  if (n_run == 0)
    {
      g_printerr ("no corpus file found in the paths given\n");
      return 1;
    }
  g_print ("%u inputs run\n", n_run);
  return 0;
}
