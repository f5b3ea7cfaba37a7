/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-fuzzer.h"

#include <vmmigrate.h>

/* The sim backend's inventory JSON. Any input either fails with a
 * VMM_ERROR, or gives a backend whose to_json() loads again, to the same
 * JSON. */

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *json = g_strndup ((const char *)data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmBackend) again = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out_again = NULL;

  vmm_fuzzer_init ();
  backend = vmm_sim_backend_new_from_json (json, &error);
  if (backend == NULL)
    {
      g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);

  out = vmm_sim_backend_to_json (VMM_SIM_BACKEND (backend));
  g_assert_nonnull (out);
  again = vmm_sim_backend_new_from_json (out, &error);
  if (again == NULL)
    g_error ("to_json output does not load: %s\n%s", error->message, out);
  out_again = vmm_sim_backend_to_json (VMM_SIM_BACKEND (again));
  if (g_strcmp0 (out, out_again) != 0)
    g_error ("reload changed the inventory:\n%s\n---\n%s", out, out_again);
  return 0;
}
