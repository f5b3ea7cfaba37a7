#!/usr/bin/python3
"""Real Nova (Debian 12 python3-nova, Zed) on loopback for the tests.

Nova's functional-test deployment in one process: the real API paste
pipeline, conductor, scheduler and N nova-compute services (host1..hostN)
whose hypervisor is a controllable fake (vmm_fake_driver.py); Placement,
Neutron, Glance and Cinder are Nova's in-process fixtures, the databases
in-memory sqlite, RPC oslo.messaging's fake transport.  The compute API is
served with eventlet.wsgi on 127.0.0.1:PORT, a small control API for the
fake hypervisors on 127.0.0.1:CONTROL_PORT.

Run with /usr/bin/python3.  Prints one line on stdout when ready:

    READY port=<api port> control_port=<control port> seconds=<startup>

Auth (--auth):
  noauth2   Nova's `noauth2` paste pipeline: X-Auth-Token "user:project"
            (user "admin" is an admin), no Keystone needed.
  keystone  Nova's `keystone` pipeline: keystonemiddleware authtoken
            validates every token against the Keystone peer configured by
            --authtoken-config (the [keystone_authtoken] file that
            keystone_peer.py writes).

See README.md for the control API.
"""

import os
import sys

# oslotest reads these in setUp(): a timeout would kill the server and the
# capture fixtures would swallow our output.
for _v in ('OS_TEST_TIMEOUT', 'OS_STDOUT_CAPTURE', 'OS_STDERR_CAPTURE',
           'OS_LOG_CAPTURE', 'OS_DEBUG'):
    os.environ.pop(_v, None)
# eventlet's green DNS imports dnspython, which imports requests/urllib3
# before nova.monkey_patch can patch (nova then logs a warning).  Only
# loopback addresses are used here: no DNS needed.
os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')

import nova.monkey_patch  # noqa: E402,F401  (must precede other nova code)

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

T_START = time.time()
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

PASTE_INI = os.path.join(HERE, 'api-paste.ini')
TEST_IMAGE_ID = 'c1a5c1a5-6f4e-4d0b-9f1e-000000000001'
TEST_IMAGE_NAME = 'vmm-test-image'


def parse_args():
    ap = argparse.ArgumentParser(
        description='Nova functional deployment served on loopback')
    ap.add_argument('--port', type=int, default=0,
                    help='compute API port on 127.0.0.1 (0: any free port)')
    ap.add_argument('--control-port', type=int, default=0,
                    help='control API port on 127.0.0.1 (0: any free port)')
    ap.add_argument('--computes', type=int, default=3,
                    help='number of nova-compute services host1..hostN')
    ap.add_argument('--auth', choices=('noauth2', 'keystone'),
                    default='noauth2')
    ap.add_argument('--authtoken-config',
                    help='nova config file with [keystone_authtoken] '
                    '(required for --auth keystone)')
    ap.add_argument('--log-file', default=None,
                    help='log file (default: none, /dev/null)')
    ap.add_argument('--access-log', default=None,
                    help='HTTP access log of the API server')
    ap.add_argument('--debug', action='store_true',
                    help='DEBUG level in the log file')
    ap.add_argument('--live-migration-seconds', type=float, default=0.2,
                    help='duration of a normal fake live migration')
    ap.add_argument('--vcpus', type=int, default=64,
                    help='vCPUs of each fake hypervisor')
    ap.add_argument('--memory-mb', type=int, default=65536,
                    help='memory of each fake hypervisor')
    ap.add_argument('--disk-gb', type=int, default=2000,
                    help='disk of each fake hypervisor')
    ap.add_argument('--host-resources', action='append', default=[],
                    metavar='HOST:KEY=VAL[,KEY=VAL]',
                    help='per-host override, e.g. host3:memory_mb=4096,'
                    'vcpus=8 (keys vcpus, memory_mb, local_gb); repeatable')
    ap.add_argument('--max-concurrent-live-migrations', type=int, default=1,
                    help='nova.conf value per compute (Nova default 1)')
    ap.add_argument('--periodic-interval', type=float, default=0,
                    help='run update_available_resource on all computes '
                    'every N seconds (0: only on POST /refresh)')
    ap.add_argument('--pid-file', default=None,
                    help='write the process id here')
    ap.add_argument('--max-lifetime', type=float, default=0,
                    help='exit by itself after this many seconds (0: never)')
    ap.add_argument('--service-down-time', type=int, default=60,
                    help='nova.conf service_down_time (report_interval '
                    'is a sixth of it, at least 1)')
    return ap.parse_args()


ARGS = parse_args()
if ARGS.pid_file:
    with open(ARGS.pid_file, 'w') as _f:
        _f.write('%d\n' % os.getpid())

import eventlet  # noqa: E402
import eventlet.wsgi  # noqa: E402
import fixtures  # noqa: E402
from unittest import mock  # noqa: E402

import nova.conf  # noqa: E402
from nova import context as nova_context  # noqa: E402
from nova import test  # noqa: E402
from nova.tests import fixtures as nova_fixtures  # noqa: E402
from nova.tests.functional import fixtures as func_fixtures  # noqa: E402
from nova.tests.functional import integrated_helpers  # noqa: E402

import nova.virt  # noqa: E402
import vmm_fake_driver  # noqa: E402

# Nova loads compute drivers as nova.virt.<[DEFAULT]compute_driver>: make
# the fake driver module importable under that name (same module object,
# so the launcher and the drivers share vmm_fake_driver.CONTROL).
sys.modules['nova.virt.vmm_fake_driver'] = vmm_fake_driver
nova.virt.vmm_fake_driver = vmm_fake_driver

CONF = nova.conf.CONF
LOG = logging.getLogger('nova_peer')


def say(msg):
    sys.stderr.write('nova_peer: %s\n' % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------- logging

class FileLogging(fixtures.Fixture):
    """Stands in for nova's StandardLogging: everything into one file.

    StandardLogging keeps the whole log in memory (a StringIO) for the
    test's lifetime; a long-running server must not.
    """

    def setUp(self):
        super(FileLogging, self).setUp()
        root = logging.getLogger()
        level = logging.DEBUG if ARGS.debug else logging.INFO
        root.setLevel(level)
        path = ARGS.log_file or os.devnull
        handler = logging.FileHandler(path)
        handler.setFormatter(logging.Formatter(
            '%(asctime)s %(process)d %(levelname)s [%(name)s] %(message)s'))
        handler.setLevel(level)
        self.useFixture(fixtures.LogHandler(handler, nuke_handlers=True,
                                            level=None))
        for noisy in ('migrate.versioning.api', 'alembic',
                      'oslo_db.sqlalchemy', 'sqlalchemy',
                      'stevedore', 'urllib3', 'keystoneauth',
                      'oslo_policy', 'oslo.messaging', 'oslo_messaging'):
            logging.getLogger(noisy).setLevel(
                max(level, logging.WARNING))
        self.useFixture(fixtures.MonkeyPatch('oslo_log.log.setup',
                                             lambda *a, **k: None))
        self.logger = handler


# nova.test.TestCase looks the fixture up in this module at setUp() time.
nova_fixtures.StandardLogging = FileLogging


# ---------------------------------------------------------------- deployment

class NovaPeer(integrated_helpers.ProviderUsageBaseTestCase):
    """ProviderUsageBaseTestCase's setUp, auth-aware, run outside unittest.

    ProviderUsageBaseTestCase (unlike _IntegratedTestBase) does not make
    RPC casts synchronous, so a held live migration does not block the
    API request that started it.
    """

    compute_driver = 'vmm_fake_driver.ControlledFakeDriver'
    # Be explicit: real databases, one cell, real policy.
    USES_DB = True

    def runTest(self):  # testtools needs a test method; never run
        pass

    def setUp(self):
        # Overrides set before TestCase.setUp() survive ConfFixture.
        self.flags(compute_driver=self.compute_driver)
        self.flags(api_paste_config=PASTE_INI, group='wsgi')
        self.flags(auth_strategy=ARGS.auth, group='api')
        self.flags(max_concurrent_live_migrations=(
            ARGS.max_concurrent_live_migrations))
        # Nova's default quota (10 instances, 20 cores, 50 GiB RAM) is too
        # small for the evacuation benchmark: unlimited by default, still
        # settable per project through os-quota-sets.
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        self.flags(service_down_time=ARGS.service_down_time,
                   report_interval=max(1, ARGS.service_down_time // 6))

        # == ProviderUsageBaseTestCase.setUp with stub_keystone switchable
        test.TestCase.setUp(self)

        if ARGS.auth == 'keystone':
            CONF.default_config_files = [
                os.path.abspath(ARGS.authtoken_config)]
            if not CONF.reload_config_files():
                raise RuntimeError('could not read %s' % ARGS.authtoken_config)

        self.policy = self.useFixture(nova_fixtures.RealPolicyFixture())
        self.neutron = self.useFixture(nova_fixtures.NeutronFixture(self))
        self.glance = self.useFixture(nova_fixtures.GlanceFixture(self))
        # The fixture's images all share one name; add one with a unique
        # name so that `openstack server create --image NAME` works.
        image = dict(nova_fixtures.GlanceFixture.image1)
        image.update(id=TEST_IMAGE_ID, name=TEST_IMAGE_NAME,
                     properties=dict(image['properties']),
                     tags=list(image['tags']))
        self.glance.create(None, image)
        self.cinder = self.useFixture(nova_fixtures.CinderFixture(self))
        self.placement = self.useFixture(func_fixtures.PlacementFixture()).api
        self.useFixture(nova_fixtures.AllServicesCurrent())
        self.notifier = self.useFixture(
            nova_fixtures.NotificationFixture(self))

        # stub_keystone=False: the paste pipeline chosen by
        # [api]auth_strategy runs as in production (noauth2 or authtoken).
        self.api_fixture = self.useFixture(nova_fixtures.OSAPIFixture(
            api_version='v2.1', stub_keystone=False))
        self.start_service('conductor')
        self.scheduler_service = self.start_service('scheduler')
        for i in range(1, ARGS.computes + 1):
            self._start_compute('host%d' % i)
        self.stopped_computes = {}

    # -- helpers used by the control API --------------------------------
    def refresh(self, host=None):
        ctx = nova_context.get_admin_context()
        done = []
        for name, compute in sorted(self.computes.items()):
            if host is not None and name != host:
                continue
            if name in self.stopped_computes:
                continue
            with nova_context.target_cell(
                    ctx, self.host_mappings[name].cell_mapping) as cctxt:
                compute.manager.update_available_resource(cctxt)
            done.append(name)
        return done

    def stop_compute(self, host):
        if host not in self.computes:
            raise KeyError(host)
        if host in self.stopped_computes:
            return False
        compute = self.computes[host]
        compute.stop()
        self.stopped_computes[host] = compute
        return True

    def start_compute(self, host):
        if host not in self.computes:
            raise KeyError(host)
        old = self.stopped_computes.pop(host, None)
        if old is None:
            return False
        cell_name = self.host_mappings[host].cell_mapping.name
        driver = old.manager.driver
        with mock.patch('nova.virt.driver.load_compute_driver') as load:
            load.return_value = driver
            new = self.start_service('compute', host=host,
                                     cell_name=cell_name)
        self.computes[host] = new
        return True


# ---------------------------------------------------------------- control API

class ControlApp(object):
    """JSON control API for the fake hypervisors (loopback, no auth)."""

    def __init__(self, peer, urls):
        self.peer = peer
        self.urls = urls
        self.control = vmm_fake_driver.CONTROL

    def __call__(self, environ, start_response):
        method = environ['REQUEST_METHOD']
        path = environ.get('PATH_INFO', '/').rstrip('/') or '/'
        try:
            length = int(environ.get('CONTENT_LENGTH') or 0)
            raw = environ['wsgi.input'].read(length) if length else b''
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError('body must be a JSON object')
            code, result = self.dispatch(method, path, body,
                                         environ.get('QUERY_STRING', ''))
        except (ValueError, KeyError, TypeError) as exc:
            code, result = 400, {'error': '%s: %s' % (
                type(exc).__name__, exc)}
        except Exception as exc:
            LOG.exception('control API failure')
            code, result = 500, {'error': '%s: %s' % (
                type(exc).__name__, exc),
                'trace': traceback.format_exc().splitlines()[-5:]}
        data = (json.dumps(result, indent=1, sort_keys=True, default=str)
                + '\n').encode()
        reason = {200: 'OK', 400: 'Bad Request', 404: 'Not Found',
                  405: 'Method Not Allowed', 500: 'Internal Server Error'}
        start_response('%d %s' % (code, reason.get(code, 'Status')),
                       [('Content-Type', 'application/json'),
                        ('Content-Length', str(len(data)))])
        return [data]

    def dispatch(self, method, path, body, query=''):
        c = self.control
        if path == '/image' or path.startswith('/image/'):
            return self.image_api(method, path[len('/image'):] or '/', query)
        if method == 'GET':
            if path == '/':
                return 200, {'endpoints': [
                    'GET /status', 'GET /hypervisors', 'GET /moves',
                    'POST /control', 'POST /release', 'POST /refresh',
                    'POST /settings', 'POST /compute', 'POST /wait'],
                    'urls': self.urls}
            if path == '/status':
                st = c.status()
                st['urls'] = self.urls
                st['auth'] = ARGS.auth
                st['computes'] = {
                    h: ('stopped' if h in self.peer.stopped_computes
                        else 'running') for h in sorted(self.peer.computes)}
                return 200, st
            if path == '/hypervisors':
                return 200, c.hypervisors()
            if path == '/moves':
                return 200, {'moves': [m.as_dict()
                                       for m in c.moves.values()]}
            return 404, {'error': 'no such resource'}
        if method != 'POST':
            return 405, {'error': 'GET or POST'}
        if path == '/control':
            server = body['server']
            mode = body.get('mode', 'normal')
            c.set_mode(server, mode, once=body.get('once', False),
                       fail_status=body.get('fail_status'))
            return 200, {'server': server,
                         'mode': c.modes.get(server, {'mode': 'normal'})}
        if path == '/release':
            released = c.release(body.get('server'),
                                 body.get('action', 'complete'),
                                 body.get('fail_status'))
            return 200, {'released': released}
        if path == '/refresh':
            return 200, {'refreshed': self.peer.refresh(body.get('host'))}
        if path == '/settings':
            for k, v in body.items():
                if k not in c.settings:
                    raise KeyError('unknown setting %s' % k)
                c.settings[k] = type(c.settings[k])(v)
            return 200, {'settings': c.settings}
        if path == '/compute':
            host = body['host']
            action = body['action']
            if action == 'stop':
                changed = self.peer.stop_compute(host)
            elif action == 'start':
                changed = self.peer.start_compute(host)
            elif action == 'restart':
                self.peer.stop_compute(host)
                changed = self.peer.start_compute(host)
            else:
                raise ValueError('action must be stop, start or restart')
            return 200, {'host': host, 'action': action, 'changed': changed}
        if path == '/wait':
            # Wait until a move of `server` is in progress in a fake
            # hypervisor (or `timeout` seconds pass).
            server = body['server']
            deadline = time.time() + float(body.get('timeout', 30))
            while time.time() < deadline:
                move = c.moves.get(server)
                if move is not None:
                    return 200, {'move': move.as_dict()}
                eventlet.sleep(0.05)
            return 404, {'error': 'no move of %s in progress' % server}
        return 404, {'error': 'no such resource'}

    # -- a read-only Image API v2 over Nova's GlanceFixture --------------
    def image_api(self, method, path, query):
        """Just enough of Glance v2 for `openstack server create --image`.

        Nova itself reads images through its in-process GlanceFixture; this
        only lets clients look images up (version document, GET one, list
        with ?name= / ?id= filters).  Registered as the `image` service in
        the Keystone peer's catalog.
        """
        import urllib.parse
        if method != 'GET':
            return 405, {'error': 'read-only image API'}
        base = self.urls['image']
        path = path.rstrip('/') or '/'
        if path in ('/', '/versions'):
            return 200, {'versions': [{
                'id': 'v2.9', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': base + '/v2/'}]}]}
        images = self.peer.glance.images
        if path == '/v2/images':
            q = urllib.parse.parse_qs(query)
            out = [self._image_v2(i) for i in images.values()]
            for key in ('name', 'id', 'status', 'visibility'):
                if key in q:
                    out = [i for i in out if str(i.get(key)) in q[key]]
            if 'marker' in q:
                return 200, {'images': [], 'schema': '/v2/schemas/images',
                             'first': '/v2/images'}
            out.sort(key=lambda i: i['created_at'])
            return 200, {'images': out, 'schema': '/v2/schemas/images',
                         'first': '/v2/images'}
        if path.startswith('/v2/images/'):
            image = images.get(path[len('/v2/images/'):])
            if image is None:
                return 404, {'error': 'image not found'}
            return 200, self._image_v2(image)
        return 404, {'error': 'no such resource'}

    @staticmethod
    def _image_v2(image):
        def ts(v):
            return v.strftime('%Y-%m-%dT%H:%M:%SZ') if v else None
        out = {
            'id': image['id'], 'name': image.get('name'),
            'status': image.get('status', 'active'),
            'visibility': image.get('visibility', 'public'),
            'protected': bool(image.get('protected', False)),
            'container_format': image.get('container_format'),
            'disk_format': image.get('disk_format'),
            'size': int(image['size']) if image.get('size') else None,
            'virtual_size': None, 'checksum': None,
            'min_ram': image.get('min_ram', 0) or 0,
            'min_disk': image.get('min_disk', 0) or 0,
            'created_at': ts(image.get('created_at')),
            'updated_at': ts(image.get('updated_at')),
            'tags': list(image.get('tags') or []),
            'owner': None, 'os_hidden': False,
            'self': '/v2/images/' + image['id'],
            'file': '/v2/images/%s/file' % image['id'],
            'schema': '/v2/schemas/image',
        }
        for k, v in (image.get('properties') or {}).items():
            out.setdefault(k, v)
        return out


# ---------------------------------------------------------------- main

class AccessLog(object):
    def __init__(self, path):
        self.f = open(path, 'a') if path else None

    def write(self, data):
        if self.f is not None:
            self.f.write(data)
            self.f.flush()


def apply_resources():
    s = vmm_fake_driver.CONTROL.settings
    s['live_migration_seconds'] = ARGS.live_migration_seconds
    s['vcpus'] = ARGS.vcpus
    s['memory_mb'] = ARGS.memory_mb
    s['local_gb'] = ARGS.disk_gb
    for spec in ARGS.host_resources:
        host, _sep, kvs = spec.partition(':')
        res = {}
        for kv in kvs.split(','):
            k, _sep, v = kv.partition('=')
            k = k.strip()
            if k == 'disk_gb':
                k = 'local_gb'
            if k not in ('vcpus', 'memory_mb', 'local_gb'):
                raise SystemExit('bad --host-resources %r' % spec)
            res[k] = int(v)
        vmm_fake_driver.CONTROL.host_resources[host.strip()] = res


def main():
    if ARGS.auth == 'keystone' and not ARGS.authtoken_config:
        raise SystemExit('--auth keystone needs --authtoken-config')
    if ARGS.authtoken_config and not os.access(ARGS.authtoken_config,
                                               os.R_OK):
        raise SystemExit('cannot read %s' % ARGS.authtoken_config)
    apply_resources()

    api_sock = eventlet.listen(('127.0.0.1', ARGS.port))
    ctl_sock = eventlet.listen(('127.0.0.1', ARGS.control_port))
    api_port = api_sock.getsockname()[1]
    ctl_port = ctl_sock.getsockname()[1]
    urls = {'nova': 'http://127.0.0.1:%d' % api_port,
            'compute': 'http://127.0.0.1:%d/v2.1' % api_port,
            'control': 'http://127.0.0.1:%d' % ctl_port,
            'image': 'http://127.0.0.1:%d/image' % ctl_port}

    peer = NovaPeer()
    try:
        peer.setUp()
    except Exception:
        say('setUp failed:\n' + traceback.format_exc())
        try:
            peer.doCleanups()
        finally:
            os._exit(2)
    t_setup = time.time()

    app = peer.api_fixture.app()
    access = AccessLog(ARGS.access_log)
    pool = eventlet.GreenPool(1000)
    eventlet.spawn_n(eventlet.wsgi.server, api_sock, app, log=access,
                     custom_pool=pool, log_output=bool(ARGS.access_log),
                     debug=False)
    eventlet.spawn_n(eventlet.wsgi.server, ctl_sock, ControlApp(peer, urls),
                     log=access, log_output=bool(ARGS.access_log),
                     debug=False)

    if ARGS.periodic_interval > 0:
        def periodic():
            while True:
                eventlet.sleep(ARGS.periodic_interval)
                try:
                    peer.refresh()
                except Exception:
                    LOG.exception('periodic refresh failed')
        eventlet.spawn_n(periodic)

    stop = eventlet.event.Event()

    def on_signal(signum, frame):
        if not stop.ready():
            stop.send(signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    LOG.info('nova_peer ready: api %s control %s auth %s computes %d',
             urls['compute'], urls['control'], ARGS.auth, ARGS.computes)
    say('setUp %.1f s (auth %s, %d computes)'
        % (t_setup - T_START, ARGS.auth, ARGS.computes))
    sys.stdout.write('READY port=%d control_port=%d seconds=%.1f\n'
                     % (api_port, ctl_port, time.time() - T_START))
    sys.stdout.flush()

    # Wake up now and then so that signals are noticed promptly.
    while not stop.ready():
        try:
            stop.wait(0.5)
        except Exception:
            pass
        if ARGS.max_lifetime and time.time() - T_START > ARGS.max_lifetime:
            say('--max-lifetime reached')
            break
    say('stopping')

    # Release held moves, then let fixtures clean up (temp dirs, ...).
    vmm_fake_driver.CONTROL.release(None, 'abort')
    t0 = time.time()
    timer = eventlet.Timeout(10, False)
    with timer:
        try:
            peer.doCleanups()
        except Exception:
            pass
    say('cleanups %.1f s' % (time.time() - t0))
    logging.shutdown()
    os._exit(0)


if __name__ == '__main__':
    main()
