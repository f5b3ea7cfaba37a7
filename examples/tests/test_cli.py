#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drives the real vmmigrate binary on small sim inventories: every
sub-command, --json output, exit codes and bad input.

Usage: test_cli.py /path/to/vmmigrate
"""

import json
import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

VMMIGRATE = None
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
COMMANDS = ["list-vms", "list-hosts", "show", "plan", "migrate", "abort", "candidates", "evacuate"]


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.env = dict(os.environ)
        self.env["XDG_RUNTIME_DIR"] = self.tmp.name
        self.env.pop("VMMIGRATE_URI", None)
        self.env.pop("VMMIGRATE_CREDENTIALS", None)
        self.inventory = self.write_inventory()

    def tearDown(self):
        self.tmp.cleanup()

    def write_inventory(self, faults=None, name="inventory.json"):
        with open(os.path.join(DATA, "inventory.json")) as f:
            inventory = json.load(f)
        if faults:
            inventory["faults"] = faults
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            json.dump(inventory, f)
        return "sim://" + path

    def run_cli(self, *args, uri=None):
        cmd = [VMMIGRATE, "-c", uri or self.inventory] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr

    def assert_one_error_line(self, stderr, *needles):
        lines = stderr.splitlines()
        self.assertEqual(len(lines), 1, f"expected one line on stderr, got {stderr!r}")
        self.assertTrue(lines[0].startswith("vmmigrate"), lines[0])
        for needle in needles:
            self.assertIn(needle, lines[0])

    def events(self, stdout):
        events = [json.loads(line) for line in stdout.splitlines()]
        self.assertTrue(all("event" in e for e in events))
        return events

    # --- help and command dispatch ---

    def test_help(self):
        proc = subprocess.run([VMMIGRATE, "--help"], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0)
        for command in COMMANDS:
            self.assertIn(command, proc.stdout)
        for command in COMMANDS:
            proc = subprocess.run([VMMIGRATE, command, "--help"], capture_output=True, text=True)
            self.assertEqual(proc.returncode, 0, command)
            self.assertIn(f"vmmigrate {command}", proc.stdout)
            self.assertIn("--connect", proc.stdout)
        proc = subprocess.run([VMMIGRATE, "plan", "--help"], capture_output=True, text=True)
        for option in ["--host", "--datastore", "--pool", "--folder", "--disk", "--network",
                       "--hot", "--cold", "--max-downtime", "--bandwidth", "--timeout",
                       "--on-timeout", "--priority", "--spec"]:
            self.assertIn(option, proc.stdout)

    def test_no_or_unknown_command(self):
        proc = subprocess.run([VMMIGRATE], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assert_one_error_line(proc.stderr, "no command")
        code, out, err = self.run_cli("frobnicate")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "unknown command 'frobnicate'")
        code, out, err = self.run_cli("show")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "expects VM")
        code, out, err = self.run_cli("list-vms", "--bogus")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "--bogus")

    # --- inventory commands ---

    def test_list_vms(self):
        code, out, err = self.run_cli("--json", "list-vms")
        self.assertEqual(code, 0, err)
        vms = {vm["name"]: vm for vm in json.loads(out)["vms"]}
        self.assertEqual(set(vms), {"web", "batch"})
        self.assertEqual(vms["web"]["host"], "h1")
        self.assertEqual(vms["web"]["power-state"], "running")
        self.assertEqual(vms["batch"]["power-state"], "off")
        self.assertEqual(vms["web"]["storage-bytes"], 14 * 1024**3)
        code, out, err = self.run_cli("list-vms")
        self.assertEqual(code, 0)
        self.assertIn("NAME", out.splitlines()[0])
        self.assertEqual(len(out.splitlines()), 3)

    def test_list_hosts(self):
        code, out, err = self.run_cli("list-hosts", "--json")
        self.assertEqual(code, 0, err)
        hosts = {h["name"]: h for h in json.loads(out)["hosts"]}
        self.assertEqual(sorted(hosts), ["h1", "h2", "h3"])
        self.assertEqual(sorted(hosts["h1"]["vms"]), ["batch", "web"])
        self.assertEqual(hosts["h3"]["state"], "maintenance")
        self.assertIn("shared2", hosts["h2"]["datastores"])
        self.assertEqual(hosts["h1"]["memory-used-mib"], 2048)
        code, out, err = self.run_cli("list-hosts")
        self.assertEqual(code, 0)
        self.assertIn("maintenance", out)

    def test_show(self):
        code, out, err = self.run_cli("show", "web", "--json")
        self.assertEqual(code, 0, err)
        vm = json.loads(out)
        self.assertEqual(vm["host"], "h1")
        self.assertEqual([d["key"] for d in vm["disks"]], ["disk-0", "disk-1"])
        self.assertEqual(vm["devices"][0]["network"], "net-a")
        code, out, err = self.run_cli("show", "batch")
        self.assertEqual(code, 0)
        self.assertIn("Power:        off", out)

    def test_unknown_vm(self):
        for command in ["show", "plan", "migrate"]:
            code, out, err = self.run_cli(command, "nosuchvm")
            self.assertEqual(code, 2, command)
            self.assert_one_error_line(err, "no VM named 'nosuchvm'")
        code, out, err = self.run_cli("--json", "show", "nosuchvm")
        self.assertEqual(json.loads(out)["error"]["code"], "not-found")
        self.assertEqual(json.loads(out)["exit-code"], 2)

    def test_bad_backend(self):
        code, out, err = self.run_cli("list-vms", uri="nosuch://x")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "nosuch")
        code, out, err = self.run_cli("list-vms", uri="sim:///nonexistent/inventory.json")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "nonexistent")
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            f.write('{"hosts": [{"nmae": "h1"}]}')
        code, out, err = self.run_cli("list-vms", uri="sim://" + bad)
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "nmae")

    def test_no_secrets_on_the_command_line(self):
        code, out, err = self.run_cli("list-vms", uri="sim://admin:hunter2@localhost/")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "must not contain a password")
        self.assertNotIn("hunter2", err)
        code, out, err = self.run_cli("list-vms", uri="sim:///x.json?token=abc")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "must not contain a token")

    def test_credentials_file(self):
        path = os.path.join(self.tmp.name, "credentials")
        with open(path, "w") as f:
            f.write("[environment]\nVMM_TEST_PASSWORD=s3cret\n")
        os.chmod(path, 0o644)
        code, out, err = self.run_cli("--credentials", path, "list-vms")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "chmod 600")
        os.chmod(path, 0o600)
        code, out, err = self.run_cli("--credentials", path, "list-vms")
        self.assertEqual(code, 0, err)
        self.env["VMMIGRATE_CREDENTIALS"] = path
        code, out, err = self.run_cli("list-vms")
        self.assertEqual(code, 0, err)
        with open(path, "w") as f:
            f.write("[environment]\nnot-a-name=1\n")
        code, out, err = self.run_cli("list-vms")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "not-a-name")
        self.assertNotIn("s3cret", out + err)

    # --- plan ---

    def test_plan(self):
        code, out, err = self.run_cli("plan", "web", "--host", "h2", "--json")
        self.assertEqual(code, 0, err)
        plan = json.loads(out)
        self.assertEqual(plan["vm"], "web")
        self.assertEqual(plan["migration-type"], "hot host move")
        self.assertEqual(plan["source-host"], "h1")
        self.assertEqual(plan["host"], "h2")
        names = [a["name"] for a in plan["actions"]]
        self.assertEqual(names[0], "InvokePrechecks")
        self.assertIn("InitiateSource", names)
        self.assertEqual({a["performer"] for a in plan["actions"]} - {"engine", "backend", "caller", "platform", "nobody"}, set())
        self.assertEqual([d["key"] for d in plan["disks"]], ["disk-0", "disk-1"])
        code, out, err = self.run_cli("plan", "web", "--host", "h2")
        self.assertEqual(code, 0)
        self.assertTrue(out.startswith("Plan for web: hot host move"))
        self.assertIn("(backend)", out)

    def test_plan_engine_chooses(self):
        code, out, err = self.run_cli("plan", "batch", "--json")
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["host"], "h2")

    def test_plan_spec_options(self):
        code, out, err = self.run_cli("plan", "web", "--json", "--host", "h2", "--datastore", "shared2",
                                      "--disk", "disk-1=shared1:thin", "--network", "net-a=net-b",
                                      "--hot", "--max-downtime", "500", "--bandwidth", "1000",
                                      "--timeout", "600", "--on-timeout", "abort", "--priority", "high",
                                      "--pool", "prod", "--folder", "vm/x")
        self.assertEqual(code, 0, err)
        plan = json.loads(out)
        self.assertEqual(plan["migration-type"], "hot host and storage move")
        disks = {d["key"]: d["datastore"] for d in plan["disks"]}
        self.assertEqual(disks, {"disk-0": "shared2", "disk-1": "shared1"})

    def test_plan_spec_file(self):
        spec = os.path.join(self.tmp.name, "spec.json")
        with open(spec, "w") as f:
            json.dump({"host": "h2", "datastore": "shared2", "migration-type": "cold"}, f)
        code, out, err = self.run_cli("plan", "batch", "--spec", spec, "--json")
        self.assertEqual(code, 0, err)
        plan = json.loads(out)
        self.assertEqual(plan["migration-type"], "cold relocation")
        self.assertEqual(plan["datastore"], "shared2")

    def test_plan_refused(self):
        cases = [
            (["--host", "nowhere"], "not-found", "nowhere"),
            (["--host", "h3"], None, "h3"),
            (["--hot", "--host", "h2"], None, "running"),
        ]
        for args, error_code, needle in cases:
            vm = "batch" if "--hot" in args else "web"
            code, out, err = self.run_cli("plan", vm, *args)
            self.assertEqual(code, 3, (args, err))
            self.assert_one_error_line(err, needle)
            code, out, err = self.run_cli("plan", vm, "--json", *args)
            obj = json.loads(out)
            self.assertEqual(obj["exit-code"], 3)
            self.assertEqual(obj["status"], "refused")
            if error_code:
                self.assertEqual(obj["error"]["code"], error_code)
            if "h3" in args:
                # the refused plan comes along with every check that failed
                codes = [c["code"] for c in obj["plan"]["checks"]]
                self.assertIn("host-state", codes)

    def test_plan_check_options(self):
        def checks(*args):
            code, out, err = self.run_cli("plan", "web", "--host", "h3", "--json", *args)
            self.assertEqual(code, 3, err)
            return {c["code"]: c["severity"] for c in json.loads(out)["plan"]["checks"]}
        self.assertEqual(checks()["zone-change"], "error")
        self.assertEqual(checks("--allow-zone-change")["zone-change"], "warning")

    def test_bad_spec_input(self):
        spec = os.path.join(self.tmp.name, "spec.json")
        cases = [
            (["--spec", spec, "--host", "h2"], "--spec cannot be combined with --host"),
            (["--hot", "--cold"], "--hot and --cold"),
            (["--disk", "disk-0"], "KEY=DATASTORE"),
            (["--disk", "disk-0=shared2:fat"], "'fat' is not one of"),
            (["--disk", "disk-0=shared2", "--disk", "disk-0=shared1"], "twice"),
            (["--network", "net-a"], "OLD=NEW"),
            (["--max-downtime", "0"], "--max-downtime"),
            (["--timeout", "soon"], "--timeout"),
            (["--priority", "urgent"], "'urgent' is not one of low, default, high"),
            (["--on-timeout", "explode"], "--on-timeout"),
            (["--cold", "--max-downtime", "100"], "max-downtime-ms"),
            (["--spec", os.path.join(self.tmp.name, "missing.json")], "missing.json"),
            (["--spec", spec, "--fallback-cold"], "--spec cannot be combined with --fallback-cold"),
        ]
        with open(spec, "w") as f:
            f.write('{"host": "h2"}')
        for args, needle in cases:
            for command in ["plan", "migrate"]:
                code, out, err = self.run_cli(command, "web", *args)
                self.assertEqual(code, 2, (command, args, err))
                self.assert_one_error_line(err, needle)

    def test_malformed_spec_file(self):
        spec = os.path.join(self.tmp.name, "spec.json")
        for text, needle in [('{"host": ', "invalid JSON"),
                             ('{"hots": "h2"}', 'did you mean "host"'),
                             ('{"disks": [{"key": "disk-0"}]}', "disks[0].datastore"),
                             ('[1, 2]', "must be a JSON object")]:
            with open(spec, "w") as f:
                f.write(text)
            code, out, err = self.run_cli("migrate", "web", "--spec", spec)
            self.assertEqual(code, 2, (text, err))
            self.assert_one_error_line(err, needle, spec)
            code, out, err = self.run_cli("migrate", "web", "--spec", spec, "--json")
            event = self.events(out)[-1]
            self.assertEqual(len(out.splitlines()), 1)
            self.assertEqual((event["event"], event["error"]["code"], event["exit-code"]),
                             ("error", "invalid-spec", 2))

    # --- migrate ---

    def test_migrate_json(self):
        code, out, err = self.run_cli("migrate", "web", "--host", "h2", "--datastore", "shared2", "--json")
        self.assertEqual(code, 0, err)
        self.assertEqual(err, "")
        events = self.events(out)
        kinds = [e["event"] for e in events]
        self.assertEqual(kinds[-1], "result")
        self.assertIn("ready", kinds)
        self.assertIn("progress", kinds)
        fractions = [e["fraction"] for e in events if e["event"] == "progress"]
        self.assertEqual(fractions, sorted(fractions))
        self.assertEqual(fractions[-1], 1.0)
        progress = [e for e in events if e["event"] == "progress" and e["bytes-total"] > 0]
        self.assertTrue(progress)
        self.assertTrue(all(0 <= e["bytes-done"] <= e["bytes-total"] for e in progress))
        started = [e["action"] for e in events if e["event"] == "action-started"]
        finished = [e["action"] for e in events if e["event"] == "action-finished"]
        self.assertEqual(started, finished)
        self.assertTrue(all(e["error"] is None for e in events if e["event"] == "action-finished"))
        ready = next(e for e in events if e["event"] == "ready")
        self.assertEqual((ready["source-host"], ready["host"]), ("h1", "h2"))
        result = events[-1]["result"]
        self.assertEqual(events[-1]["exit-code"], 0)
        self.assertTrue(result["moved"])
        self.assertEqual(result["host"], "h2")
        self.assertEqual({d["datastore"] for d in result["disks"]}, {"shared2"})
        self.assertEqual(result["actions"], started)
        states = [e["state"] for e in events if e["event"] == "state-changed"]
        self.assertEqual(states[-1], "succeeded")

    def test_migrate_plain(self):
        code, out, err = self.run_cli("migrate", "batch", "--host", "h2", "--pool", "Resources")
        self.assertEqual(code, 0, err)
        self.assertIn("batch is on host h2, pool Resources", out)
        self.assertIn("done    UnregisterSourceVm", out)
        self.assertNotIn("\033[K", out)

    def test_migrate_progress_bar_on_a_terminal(self):
        main, sub = pty.openpty()
        proc = subprocess.Popen([VMMIGRATE, "-c", self.inventory, "migrate", "web", "--host", "h2"],
                                stdout=sub, stderr=subprocess.DEVNULL, env=self.env)
        os.close(sub)
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        os.close(main)
        self.assertEqual(proc.wait(timeout=60), 0)
        text = output.decode("utf-8")
        self.assertIn("\r\033[K[", text)
        self.assertIn("100%", text)
        self.assertIn("InitiateSource", text)
        self.assertIn("GiB", text)
        self.assertIn("web is on host h2", text)
        percents = [int(p) for p in re.findall(r"\] +(\d+)%", text)]
        self.assertTrue(percents)
        self.assertEqual(percents, sorted(percents), "the percent never goes back")

    def run_with_faults(self, faults, vm, *args):
        uri = self.write_inventory(faults, "faulty.json")
        return self.run_cli("migrate", vm, "--json", *args, uri=uri)

    def test_migrate_failed_vm_on_source(self):
        code, out, err = self.run_with_faults(
            [{"vm": "web", "step": "InitiateDestination", "kind": "fail", "error": "backend"}],
            "web", "--host", "h2")
        self.assertEqual(code, 4, err)
        self.assert_one_error_line(err, "InitiateDestination", "source host 'h1'")
        last = self.events(out)[-1]
        self.assertEqual(last["event"], "error")
        self.assertEqual(last["status"], "failed")
        self.assertEqual(last["error"]["code"], "backend")
        self.assertFalse(last["result"]["moved"])
        self.assertEqual(last["result"]["host"], "h1")

    def test_migrate_rollback_failed(self):
        code, out, err = self.run_with_faults(
            [{"vm": "batch", "step": "RelayoutSnapshots", "kind": "fail"},
             {"vm": "batch", "step": "CreateDestinationVM", "kind": "fail-undo"}],
            "batch", "--host", "h2", "--datastore", "shared2")
        self.assertEqual(code, 5, err)
        self.assert_one_error_line(err, "rollback")
        last = self.events(out)[-1]
        self.assertEqual(last["error"]["code"], "rollback-failed")
        self.assertEqual(last["status"], "needs-attention")

    def test_migrate_failed_after_switch_over(self):
        code, out, err = self.run_with_faults(
            [{"vm": "web", "step": "CompleteDestination", "kind": "fail", "count": 5}],
            "web", "--host", "h2")
        self.assertEqual(code, 5, err)
        self.assert_one_error_line(err, "destination host 'h2'")
        events = self.events(out)
        self.assertTrue(any(e["event"] == "warning" for e in events))
        last = events[-1]
        self.assertTrue(last["result"]["moved"])
        self.assertEqual(last["result"]["host"], "h2")

    def start_hanging_migration(self, step, vm, *args):
        uri = self.write_inventory([{"vm": vm, "step": step, "kind": "hang"}], "hang.json")
        proc = subprocess.Popen([VMMIGRATE, "-c", uri, "migrate", vm, "--json"] + list(args),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env)
        events = []
        for line in proc.stdout:
            events.append(json.loads(line))
            if events[-1] == {"event": "action-started", "action": step,
                              "index": events[-1].get("index"), "performer": "backend"}:
                break
        else:
            self.fail(f"{step} never started: {events}")
        return proc, uri, events

    def finish(self, proc, events):
        rest, err = proc.communicate(timeout=60)
        events += [json.loads(line) for line in rest.splitlines()]
        return proc.returncode, events, err

    def test_migrate_cancelled_by_sigint(self):
        for step, vm, args in [("CreateDestinationVM", "batch", ["--host", "h2", "--datastore", "shared2"]),
                               ("InitiateSource", "web", ["--host", "h2"])]:
            proc, uri, events = self.start_hanging_migration(step, vm, *args)
            proc.send_signal(signal.SIGINT)
            code, events, err = self.finish(proc, events)
            self.assertEqual(code, 130, (step, err))
            self.assert_one_error_line(err, "source host 'h1'")
            self.assertIn("cancel-requested", [e["event"] for e in events])
            last = events[-1]
            self.assertEqual(last["error"]["code"], "cancelled")
            self.assertEqual(last["status"], "cancelled")
            self.assertFalse(last["result"]["moved"])
            self.assertEqual(last["result"]["host"], "h1")

    def test_candidates(self):
        code, out, err = self.run_cli("--json", "candidates", "web")
        self.assertEqual(code, 0, err)
        result = json.loads(out)
        self.assertEqual(result["vm"], "web")
        hosts = [c["host"] for c in result["candidates"]]
        self.assertEqual(sorted(hosts), ["h2", "h3"])
        for c in result["candidates"]:
            self.assertIn("suitable", c)
            self.assertIn("requires-storage-motion", c)
            if not c["suitable"]:
                self.assertTrue(c["reasons"])
        code, out, err = self.run_cli("candidates", "web")
        self.assertEqual(code, 0, err)
        self.assertIn("SUITABLE", out)
        code, out, err = self.run_cli("candidates", "nope")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "nope")

    def test_evacuate(self):
        code, out, err = self.run_cli("--json", "evacuate", "h1", "--max-per-host", "1")
        self.assertEqual(code, 0, err)
        events = [json.loads(line) for line in out.splitlines()]
        finished = events[-1]
        self.assertEqual(finished["event"], "finished")
        self.assertTrue(finished["empty"])
        moved = {v["vm"]: v for v in finished["vms"]}
        self.assertEqual(sorted(moved), ["batch", "web"])
        for v in moved.values():
            self.assertEqual(v["outcome"], "moved")
            self.assertNotEqual(v["host"], "h1")
        self.assertTrue(any(e["event"] == "vm-started" for e in events))
        self.assertTrue(any(e["event"] == "progress" for e in events))

    def test_evacuate_bad_input(self):
        code, out, err = self.run_cli("evacuate", "nope")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "no host named 'nope'")
        code, out, err = self.run_cli("evacuate", "h1", "--host", "h2")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "--host")
        code, out, err = self.run_cli("evacuate", "h1", "--max-per-host", "0")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "--max-per-host")

    def test_abort(self):
        code, out, err = self.run_cli("abort", "web")
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "no `vmmigrate migrate web`")
        proc, uri, events = self.start_hanging_migration(
            "CreateDestinationVM", "batch", "--host", "h2", "--datastore", "shared2")
        # a second process cannot migrate the same VM meanwhile
        code, out, err = self.run_cli("migrate", "batch", "--host", "h2", uri=uri)
        self.assertEqual(code, 3)
        self.assert_one_error_line(err, "already being migrated")
        code, out, err = self.run_cli("abort", "batch", "--json", uri=uri)
        self.assertEqual(code, 0, err)
        outcome = json.loads(out)
        self.assertEqual(outcome["exit-code"], 130)
        self.assertIn("source host 'h1'", outcome["message"])
        code, events, err = self.finish(proc, events)
        self.assertEqual(code, 130)
        # nothing is left registered
        code, out, err = self.run_cli("abort", "batch", uri=uri)
        self.assertEqual(code, 2)

    def test_abort_without_waiting(self):
        proc, uri, events = self.start_hanging_migration("InitiateSource", "web", "--host", "h2")
        code, out, err = self.run_cli("abort", "web", "--wait", "0", "--json", uri=uri)
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out), {"status": "requested", "pid": proc.pid})
        code, events, err = self.finish(proc, events)
        self.assertEqual(code, 130)
        self.assertEqual(events[-1]["result"]["host"], "h1")
        code, out, err = self.run_cli("abort", "web", "--wait", "soon", uri=uri)
        self.assertEqual(code, 2)
        self.assert_one_error_line(err, "--wait")


if __name__ == "__main__":
    VMMIGRATE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
