/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-fuzzer.h"

#include <vmmigrate.h>

/* RelocateSpec JSON. Any input either fails with a VMM_ERROR, or gives a
 * spec that validates, whose JSON parses again to the same JSON, and whose
 * copy writes the same JSON. */

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *json = g_strndup ((const char *)data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = NULL;
  g_autoptr (VmmRelocateSpec) again = NULL;
  g_autoptr (VmmRelocateSpec) copy = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out_again = NULL;
  g_autofree char *out_copy = NULL;

  vmm_fuzzer_init ();
  spec = vmm_relocate_spec_new_from_json (json, &error);
  if (spec == NULL)
    {
      g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);
  if (!vmm_relocate_spec_validate (spec, &error))
    g_error ("parsed spec does not validate: %s", error->message);

  out = vmm_relocate_spec_to_json (spec);
  g_assert_nonnull (out);
  again = vmm_relocate_spec_new_from_json (out, &error);
  if (again == NULL)
    g_error ("to_json output does not parse: %s\n%s", error->message, out);
  out_again = vmm_relocate_spec_to_json (again);
  if (g_strcmp0 (out, out_again) != 0)
    g_error ("round trip changed the spec:\n%s\n---\n%s", out, out_again);

  copy = vmm_relocate_spec_copy (spec);
  out_copy = vmm_relocate_spec_to_json (copy);
  if (g_strcmp0 (out, out_copy) != 0)
    g_error ("copy differs:\n%s\n---\n%s", out, out_copy);
  return 0;
}
