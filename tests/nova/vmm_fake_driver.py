"""A controllable fake virt driver for the Nova test peer (nova_peer.py).

Nova's own nova.virt.fake.FakeDriver with:

* a fast live migration (CONTROL.settings['live_migration_seconds'],
  default 0.2 s, instead of FakeLiveMigrateDriver's fixed 5 s) that writes
  progress figures (memory/disk total/processed/remaining) into the
  migration record the way the libvirt driver does;
* get_host_uptime() (the stock fake raises; os-hypervisors needs it from
  microversion 2.88 on);
* per-host resources (vcpus, memory_mb, local_gb), configurable;
* per-server fault injection, chosen by the launcher's control endpoint
  (CONTROL.set_mode) or by the server metadata key `vmm-fake-mode`:

    normal         live and cold migrations succeed
    hold           a live migration stays `running` (progress moving)
                   until released, aborted or force-completed
    fail           a live migration fails in the "hypervisor": the driver
                   calls Nova's rollback -> migration `error` (or the
                   status given), server ACTIVE on the source
    crash          driver.live_migration raises -> migration `error`,
                   server ERROR (what Nova does when the driver blows up)
    precheck-fail  check_can_live_migrate_destination raises
                   MigrationPreCheckError on every destination -> "No valid
                   host" (scheduler) or a pre-check error (named host);
                   the server stays ACTIVE on the source
    cold-fail      a cold migration/resize fails in migrate_disk_and_power_off
                   with InstanceFaultRollback -> migration `error`, server
                   ACTIVE on the source
    cold-hold      a cold migration/resize waits in migrate_disk_and_power_off
                   (task_state resize_migrating) until released

This module must be imported under its own name (nova loads the driver
class "vmm_fake_driver.ControlledFakeDriver"): tests/nova/ must be on
sys.path, which it is when nova_peer.py runs.
"""

import collections
import time

import eventlet.event
from oslo_log import log as logging

import nova.conf
from nova import exception
from nova.virt import fake

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

MiB = 1024 * 1024
GiB = 1024 * MiB

LIVE_MODES = ('normal', 'hold', 'fail', 'crash', 'precheck-fail')
COLD_MODES = ('cold-fail', 'cold-hold')
MODES = LIVE_MODES + COLD_MODES
HOOK_MODES = {
    'precheck': ('precheck-fail',),
    'live': ('hold', 'fail', 'crash'),
    'cold': COLD_MODES,
}
METADATA_KEY = 'vmm-fake-mode'
METADATA_STATUS_KEY = 'vmm-fake-fail-status'


class _Move(object):
    """One migration in progress in a fake hypervisor."""

    def __init__(self, kind, instance, source, dest, mode):
        self.kind = kind                # 'live' or 'cold'
        self.uuid = instance.uuid
        self.name = instance.name
        self.source = source
        self.dest = dest
        self.mode = mode
        self.started = time.time()
        self.action = None              # complete|abort|fail
        self.fail_status = None
        self.event = eventlet.event.Event()
        self.memory_total = 0
        self.memory_processed = 0
        self.memory_remaining = 0
        self.disk_total = 0
        self.disk_processed = 0
        self.disk_remaining = 0
        self.migration_id = None
        self.migration_uuid = None

    def act(self, action, fail_status=None):
        if self.action is None:
            self.action = action
            self.fail_status = fail_status
            if not self.event.ready():
                self.event.send(action)
            return True
        return False

    def as_dict(self):
        return {
            'server': self.uuid, 'instance_name': self.name,
            'kind': self.kind, 'mode': self.mode, 'source': self.source,
            'dest': self.dest, 'seconds': round(time.time() - self.started, 3),
            'held': self.action is None and self.mode in ('hold', 'cold-hold'),
            'action': self.action,
            'migration_id': self.migration_id,
            'migration_uuid': self.migration_uuid,
            'memory_total': self.memory_total,
            'memory_processed': self.memory_processed,
            'memory_remaining': self.memory_remaining,
            'disk_total': self.disk_total,
            'disk_processed': self.disk_processed,
            'disk_remaining': self.disk_remaining,
        }


class Control(object):
    """Process-wide state shared by all fake hypervisors and the launcher."""

    def __init__(self):
        self.settings = {
            'live_migration_seconds': 0.2,   # duration of a normal live move
            'progress_interval': 0.1,        # seconds between stat updates
            'hold_timeout': 3600.0,          # a hold ends as `fail` after it
            'hold_transfer_seconds': 2.0,    # first pass of a held migration
            'fail_status': 'error',          # migration status of `fail`
            'vcpus': 64,
            'memory_mb': 65536,
            'local_gb': 2000,
        }
        self.host_resources = {}             # host -> {vcpus,memory_mb,..}
        self.modes = {}                      # uuid -> {mode, once, status}
        self.moves = collections.OrderedDict()   # uuid -> _Move
        self.drivers = {}                    # host -> driver
        self.history = collections.deque(maxlen=200)
        self.boot_time = time.time()

    # -- modes ------------------------------------------------------------
    def set_mode(self, uuid, mode, once=False, fail_status=None):
        if mode not in MODES:
            raise ValueError('unknown mode %r (one of %s)'
                             % (mode, ', '.join(MODES)))
        if mode == 'normal' and not once:
            self.modes.pop(uuid, None)
        else:
            self.modes[uuid] = {'mode': mode, 'once': bool(once),
                                'fail_status': fail_status}

    def mode_for(self, instance, kind):
        """The mode that applies to this instance at a `kind` hook.

        kind: 'precheck' (check_can_live_migrate_destination), 'live'
        (live_migration) or 'cold' (migrate_disk_and_power_off).  Returns
        (mode, fail_status); mode is 'normal' when nothing applies here.  A
        `once` mode is consumed only by the hook where it takes effect.
        """
        entry = self.modes.get(instance.uuid)
        if entry is not None:
            mode = entry['mode']
            status = entry.get('fail_status')
        else:
            md = {}
            try:
                md = instance.metadata or {}
            except Exception:  # lazy-load trouble: treat as no metadata
                LOG.debug('no metadata for %s', instance.uuid)
            mode = md.get(METADATA_KEY, 'normal')
            status = md.get(METADATA_STATUS_KEY)
            if mode not in MODES:
                LOG.warning('ignoring unknown %s=%r', METADATA_KEY, mode)
                mode = 'normal'
        if mode not in HOOK_MODES[kind]:
            return 'normal', None
        if entry is not None and entry.get('once'):
            self.modes.pop(instance.uuid, None)
        return mode, status or self.settings['fail_status']

    # -- moves ------------------------------------------------------------
    def begin(self, move):
        old = self.moves.pop(move.uuid, None)
        if old is not None:
            old.act('abort')
        self.moves[move.uuid] = move
        return move

    def end(self, move, result):
        if self.moves.get(move.uuid) is move:
            del self.moves[move.uuid]
        d = move.as_dict()
        d['result'] = result
        d['ended'] = time.time()
        self.history.append(d)

    def release(self, uuid=None, action='complete', fail_status=None):
        """Release held moves: complete (default), abort or fail them."""
        if action not in ('complete', 'abort', 'fail'):
            raise ValueError('action must be complete, abort or fail')
        done = []
        for move in list(self.moves.values()):
            if uuid is not None and move.uuid != uuid:
                continue
            if move.kind == 'cold' and action == 'abort':
                action = 'fail'
            if move.act(action, fail_status):
                done.append(move.uuid)
        return done

    def status(self):
        return {
            'settings': dict(self.settings),
            'host_resources': dict(self.host_resources),
            'modes': dict(self.modes),
            'moves': [m.as_dict() for m in self.moves.values()],
            'history': list(self.history)[-50:],
        }

    def hypervisors(self):
        out = {}
        for host, drv in sorted(self.drivers.items()):
            out[host] = {
                'resources': drv.resources.dump(),
                'instances': [
                    {'uuid': u, 'name': i.name, 'state': i.state}
                    for u, i in sorted(drv.instances.items())],
            }
        return out


CONTROL = Control()


def _uptime_text(seconds):
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    now = time.strftime('%H:%M:%S')
    return (' %s up %d day%s, %2d:%02d,  0 users,  load average: '
            '0.00, 0.00, 0.00' % (now, days, '' if days == 1 else 's',
                                  hours, minutes))


class ControlledFakeDriver(fake.FakeDriver):
    """See the module docstring."""

    def __init__(self, virtapi, read_only=False):
        host = CONF.host
        res = CONTROL.host_resources.get(host, {})
        self.vcpus = int(res.get('vcpus', CONTROL.settings['vcpus']))
        self.memory_mb = int(res.get('memory_mb',
                                     CONTROL.settings['memory_mb']))
        self.local_gb = int(res.get('local_gb', CONTROL.settings['local_gb']))
        super(ControlledFakeDriver, self).__init__(virtapi, read_only)
        # All computes share one process and one CONF: CONF.host is the
        # last compute started, not this one.  Remember ours.
        self.vmm_host = host
        self._boot_time = time.time()
        CONTROL.drivers[host] = self

    # -- facts --------------------------------------------------------------
    def get_host_uptime(self):
        return _uptime_text(time.time() - self._boot_time + 86400 * 3)

    # -- live migration -------------------------------------------------------
    def check_can_live_migrate_destination(self, context, instance,
                                           src_compute_info, dst_compute_info,
                                           block_migration=False,
                                           disk_over_commit=False):
        mode, _unused = CONTROL.mode_for(instance, 'precheck')
        if mode == 'precheck-fail':
            LOG.info('vmm fake: injected pre-check failure on %s',
                     self.vmm_host, instance=instance)
            raise exception.MigrationPreCheckError(
                reason='injected pre-check failure on %s (vmm fake driver)'
                % self.vmm_host)
        return super(ControlledFakeDriver,
                     self).check_can_live_migrate_destination(
            context, instance, src_compute_info, dst_compute_info,
            block_migration, disk_over_commit)

    def _save_stats(self, move, migration, instance):
        if migration is None:
            return
        try:
            migration.memory_total = move.memory_total
            migration.memory_processed = move.memory_processed
            migration.memory_remaining = move.memory_remaining
            migration.disk_total = move.disk_total
            migration.disk_processed = move.disk_processed
            migration.disk_remaining = move.disk_remaining
            migration.save()
        except Exception as exc:
            LOG.debug('vmm fake: could not save migration stats: %s', exc)
        try:
            if move.memory_total:
                done = 100 - (100 * move.memory_remaining
                              // move.memory_total)
                instance.progress = max(0, min(100, int(done)))
                instance.save()
        except Exception as exc:
            LOG.debug('vmm fake: could not save instance progress: %s', exc)

    def live_migration(self, context, instance, dest,
                       post_method, recover_method, block_migration=False,
                       migrate_data=None):
        mode, fail_status = CONTROL.mode_for(instance, 'live')
        migration = None
        if (migrate_data is not None and
                migrate_data.obj_attr_is_set('migration')):
            migration = migrate_data.migration
        move = CONTROL.begin(_Move('live', instance, self.vmm_host, dest,
                                   mode))
        if migration is not None:
            move.migration_id = migration.id
            move.migration_uuid = migration.uuid
        flavor = instance.flavor
        move.memory_total = flavor.memory_mb * MiB
        move.memory_remaining = move.memory_total
        if block_migration:
            move.disk_total = flavor.root_gb * GiB
            move.disk_remaining = move.disk_total
        LOG.info('vmm fake: live migration %s -> %s (mode %s)',
                 self.vmm_host, dest, mode, instance=instance)

        if mode == 'crash':
            CONTROL.end(move, 'crash')
            raise exception.NovaException(
                'injected hypervisor crash during live migration '
                '(vmm fake driver)')

        interval = max(0.01, float(CONTROL.settings['progress_interval']))
        if mode == 'hold':
            first_pass = float(CONTROL.settings['hold_transfer_seconds'])
            deadline = time.time() + float(CONTROL.settings['hold_timeout'])
        elif mode == 'fail':
            first_pass = float(CONTROL.settings['live_migration_seconds'])
            deadline = time.time() + first_pass / 2.0
        else:
            first_pass = float(CONTROL.settings['live_migration_seconds'])
            deadline = time.time() + first_pass
        first_pass = max(first_pass, 0.001)
        rate_mem = move.memory_total / first_pass
        rate_disk = move.disk_total / first_pass
        last = time.time()
        tick = 0
        result = None
        while True:
            now = time.time()
            dt = now - last
            last = now
            # disk first (block migration), then memory, like libvirt
            if move.disk_remaining > 0:
                step = min(move.disk_remaining, int(rate_disk * dt))
                move.disk_processed += step
                move.disk_remaining -= step
            else:
                step = int(rate_mem * dt)
                move.memory_processed += step
                if mode == 'hold':
                    # the guest dirties pages as fast as they are sent:
                    # remaining settles around 3-8 % of the memory.
                    floor = move.memory_total * (5 + (tick % 7) - 3) // 100
                    move.memory_remaining = max(
                        floor, move.memory_remaining - step)
                else:
                    move.memory_remaining = max(
                        0, move.memory_remaining - step)
            tick += 1
            self._save_stats(move, migration, instance)
            if move.action is not None:
                result = move.action
                break
            if now >= deadline:
                if mode == 'hold':
                    LOG.warning('vmm fake: held migration timed out',
                                instance=instance)
                    result = 'fail'
                elif mode == 'fail':
                    result = 'fail'
                else:
                    result = 'complete'
                break
            move.event.wait(min(interval, max(0.0, deadline - now)))

        if result == 'complete':
            move.memory_processed += move.memory_remaining
            move.memory_remaining = 0
            move.disk_processed += move.disk_remaining
            move.disk_remaining = 0
            self._save_stats(move, migration, instance)
            CONTROL.end(move, 'completed')
            post_method(context, instance, dest, block_migration,
                        migrate_data)
        elif result == 'abort':
            CONTROL.end(move, 'cancelled')
            recover_method(context, instance, dest, migrate_data,
                           migration_status='cancelled')
        else:
            status = move.fail_status or fail_status or 'error'
            CONTROL.end(move, 'failed:%s' % status)
            LOG.error('vmm fake: injected live migration failure '
                      '(migration status %s)', status, instance=instance)
            recover_method(context, instance, dest, migrate_data,
                           migration_status=status)

    def live_migration_force_complete(self, instance):
        move = CONTROL.moves.get(instance.uuid)
        if move is not None and move.kind == 'live':
            LOG.info('vmm fake: force-complete', instance=instance)
            move.act('complete')

    def live_migration_abort(self, instance):
        move = CONTROL.moves.get(instance.uuid)
        if move is not None and move.kind == 'live':
            LOG.info('vmm fake: abort', instance=instance)
            move.act('abort')

    def post_live_migration(self, context, instance, block_device_info,
                            migrate_data=None):
        # Runs on the source: the guest is gone from this hypervisor.
        if instance.uuid in self.instances:
            self.destroy(context, instance, network_info=None,
                         block_device_info=block_device_info)

    # -- cold migration / resize ------------------------------------------
    def migrate_disk_and_power_off(self, context, instance, dest,
                                   flavor, network_info,
                                   block_device_info=None,
                                   timeout=0, retry_interval=0):
        mode, _unused = CONTROL.mode_for(instance, 'cold')
        if mode == 'cold-fail':
            LOG.error('vmm fake: injected cold migration failure',
                      instance=instance)
            raise exception.InstanceFaultRollback(
                inner_exception=exception.ResizeError(
                    reason='injected failure in migrate_disk_and_power_off '
                           '(vmm fake driver)'))
        if mode == 'cold-hold':
            move = CONTROL.begin(_Move('cold', instance, self.vmm_host, dest,
                                       mode))
            deadline = time.time() + float(CONTROL.settings['hold_timeout'])
            LOG.info('vmm fake: holding cold migration', instance=instance)
            while move.action is None and time.time() < deadline:
                move.event.wait(min(1.0, max(0.0, deadline - time.time())))
            result = move.action or 'fail'
            CONTROL.end(move, result)
            if result != 'complete':
                raise exception.InstanceFaultRollback(
                    inner_exception=exception.ResizeError(
                        reason='held cold migration released with %s '
                               '(vmm fake driver)' % result))
        return super(ControlledFakeDriver, self).migrate_disk_and_power_off(
            context, instance, dest, flavor, network_info,
            block_device_info, timeout, retry_interval)
