/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The libFuzzer entry point every target implements. Built with
 * -fsanitize=fuzzer, libFuzzer supplies main(); otherwise
 * vmm-fuzzer-main.c runs every file of a corpus through it. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Criticals and warnings are bugs on any input: print them and abort, so
 * that libFuzzer (or the corpus run) reports them as crashes with the input
 * saved (a G_BREAKPOINT trap would not be caught). */
static inline GLogWriterOutput
vmm_fuzzer_log_writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
                       gpointer user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_autofree char *line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);

      fprintf (stderr, "%s\n", line);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static inline void
vmm_fuzzer_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_log_set_writer_func (vmm_fuzzer_log_writer, NULL, NULL);
      g_once_init_leave (&once, 1);
    }
}
