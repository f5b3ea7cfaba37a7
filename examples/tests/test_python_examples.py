#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the Python examples and the README's Python example with
/usr/bin/python3 against the typelib in GI_TYPELIB_PATH (the build tree
under meson test)."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "python")
README = os.path.join(os.path.dirname(os.path.dirname(HERE)), "README.md")


def run(*args):
    return subprocess.run(["/usr/bin/python3"] + list(args), capture_output=True, text=True,
                          timeout=120)


class PythonExamplesTest(unittest.TestCase):
    def test_migrate(self):
        proc = run(os.path.join(EXAMPLES, "migrate.py"), "web-01", "--host", "esx-02")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        percents = [int(line.split("%")[0]) for line in lines if "%" in line]
        self.assertEqual(percents, sorted(percents))
        self.assertEqual(percents[-1], 100)
        self.assertTrue(any("InitiateSource" in line for line in lines))
        self.assertIn("web-01 is on host esx-02, datastore san-gold", proc.stdout)
        self.assertIn("disk-0: [san-gold]", proc.stdout)

    def test_migrate_failure(self):
        proc = run(os.path.join(EXAMPLES, "migrate.py"), "web-01", "--host", "nowhere")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("nowhere", proc.stderr)

    def test_evacuate(self):
        proc = run(os.path.join(EXAMPLES, "evacuate.py"), "esx-01")
        # app-01 has its disk on esx-01's local datastore: it stays, with the reason
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertIn("moving web-01 to", proc.stdout)
        self.assertRegex(proc.stdout, r"web-01 +moved +esx-0[23]")
        self.assertRegex(proc.stdout, r"db-01 +moved +esx-0[23]")
        self.assertRegex(proc.stdout, r"app-01 +skipped +esx-01 +no host can take it")
        self.assertIn("3 of 3 VMs dealt with", proc.stdout)
        self.assertIn("host esx-01 is not empty", proc.stdout)

    def test_plan_table(self):
        proc = run(os.path.join(EXAMPLES, "plan_table.py"), "build-01",
                   '{"host": "esx-01", "datastore": "local-esx-01"}')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("build-01: cold relocation, esx-02 -> esx-01", proc.stdout)
        self.assertRegex(proc.stdout, r"\n1 +InvokePrechecks +engine +-")
        self.assertRegex(proc.stdout, r"UnregisterSourceVm +backend +yes")

    def test_plan_table_refused(self):
        proc = run(os.path.join(EXAMPLES, "plan_table.py"), "web-01", '{"host": "esx-04"}')
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stdout, r"error +host-state +esx-04 +host 'esx-04' is in maintenance")
        self.assertIn("refused:", proc.stderr)

    def test_readme(self):
        snippet = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "readme_snippet.py"),
                                  README, "python"], capture_output=True, text=True, check=True)
        proc = run("-c", snippet.stdout)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("Plan for web-01: hot storage move", proc.stdout)
        self.assertEqual(proc.stdout.splitlines()[-1], "san-silver")
        self.assertIn("100%", proc.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
