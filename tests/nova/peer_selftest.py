#!/usr/bin/python3
"""Self-test of the Nova peer's fault injection, over Nova's REST API.

Run against a started cloud (source STATEDIR/env.sh first):

    /usr/bin/python3 peer_selftest.py [--cloud NAME]

Auth: with NOVA_PEER_AUTH=keystone a token comes from clouds.yaml (cloud
$VMM_CLOUD_PASSWORD unless --cloud); with noauth2 the token is
"admin:admin".  Uses microversion 2.93 unless a check needs another.

Checks: live migration (scheduler), held migration with progress figures
then abort (-> cancelled, ACTIVE on source) and force-complete
(-> completed), hypervisor failure (`fail` -> migration error, ACTIVE on the
source, request id), `crash` (-> server ERROR), pre-check failure with the
scheduler (-> "No valid host") and with a named host, cold migration
+ confirm and + revert, `cold-fail`, `cold-hold` + release, evacuation
after forced_down (type `evacuation`), compute restart then forced_down
false, /refresh.  Prints one line a check and "N passed, N failed".
Deletes its servers at the end.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

IMAGE = os.environ.get('NOVA_IMAGE_ID', 'c1a5c1a5-6f4e-4d0b-9f1e-000000000001')
COMPUTE = os.environ['NOVA_COMPUTE_URL']
CONTROL = os.environ['NOVA_CONTROL_URL']
AUTH = os.environ.get('NOVA_PEER_AUTH', 'noauth2')


class Api(object):
    def __init__(self, cloud):
        self.token_fn = lambda: 'admin:admin'
        if AUTH == 'keystone':
            import openstack.config
            region = openstack.config.OpenStackConfig().get_one_cloud(cloud)
            sess = region.get_session()
            self.token_fn = sess.get_token   # re-auths near expiry

    def req(self, method, path, body=None, mv='2.93', base=None):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request((base or COMPUTE) + path, data=data,
                                   method=method)
        if base is None:
            r.add_header('X-Auth-Token', self.token_fn())
            r.add_header('OpenStack-API-Version', 'compute ' + mv)
        r.add_header('Content-Type', 'application/json')
        try:
            with urllib.request.urlopen(r, timeout=60) as f:
                t = f.read()
                return (f.status, json.loads(t) if t else None,
                        f.headers.get('x-openstack-request-id'))
        except urllib.error.HTTPError as e:
            t = e.read()
            try:
                b = json.loads(t) if t else None
            except ValueError:
                b = t.decode(errors='replace')
            return e.code, b, e.headers.get('x-openstack-request-id')

    def ctl(self, path, body=None):
        st, b, _unused = self.req('POST' if body is not None else 'GET',
                                  path, body, base=CONTROL)
        if st != 200:
            raise AssertionError('control %s: %s %s' % (path, st, b))
        return b

    def server(self, sid):
        return self.req('GET', '/servers/' + sid)[1]['server']

    def wait(self, sid, pred, timeout=30, what=''):
        t0 = time.time()
        s = None
        while time.time() - t0 < timeout:
            s = self.server(sid)
            if pred(s):
                return s
            time.sleep(0.1)
        raise AssertionError('timeout waiting for %s: status %s host %s '
                             'task %s' % (what or sid, s['status'], host(s),
                                          s['OS-EXT-STS:task_state']))

    def idle(self, sid, timeout=30):
        return self.wait(sid, lambda s: s['OS-EXT-STS:task_state'] is None,
                         timeout, 'task_state None')

    def migrations(self, sid):
        return self.req('GET', '/os-migrations?instance_uuid=%s' % sid,
                        mv='2.80')[1]['migrations']

    def boot(self, name, host_name=None, flavor='1'):
        server = {'name': name, 'imageRef': IMAGE, 'flavorRef': flavor,
                  'networks': 'none'}
        if host_name:
            server['host'] = host_name      # 2.74
        st, b, rid = self.req('POST', '/servers', {'server': server})
        assert st == 202, (st, b)
        return b['server']['id']

    def live(self, sid, target=None):
        return self.req('POST', '/servers/%s/action' % sid, {
            'os-migrateLive': {'host': target, 'block_migration': 'auto'}})


def host(s):
    return s['OS-EXT-SRV-ATTR:host']


RESULTS = []


def check(name):
    def deco(fn):
        def run(api, ctx):
            t0 = time.time()
            try:
                detail = fn(api, ctx) or ''
                RESULTS.append(True)
                print('PASS %-34s %5.2f s  %s' % (name, time.time() - t0,
                                                  detail))
            except Exception as exc:
                RESULTS.append(False)
                print('FAIL %-34s %5.2f s  %s: %s' % (
                    name, time.time() - t0, type(exc).__name__, exc))
            sys.stdout.flush()
        run.__name__ = fn.__name__
        return run
    return deco


@check('boot 6 servers')
def t_boot(api, ctx):
    ids = [api.boot('selftest-%d' % i) for i in range(6)]
    for sid in ids:
        api.wait(sid, lambda s: s['status'] == 'ACTIVE', what='ACTIVE')
    ctx['ids'] = ids
    return 'hosts %s' % sorted(host(api.server(s)) for s in ids)


@check('live migration (scheduler)')
def t_live(api, ctx):
    sid = ctx['ids'][0]
    src = host(api.server(sid))
    st, b, rid = api.live(sid)
    assert st == 202, (st, b)
    # Nova moves the server (host, ACTIVE) a moment before it marks the
    # migration `completed`: wait for both.
    s = api.wait(sid, lambda s: s['status'] == 'ACTIVE' and host(s) != src)
    t0 = time.time()
    while api.migrations(sid)[0]['status'] != 'completed':
        assert time.time() - t0 < 10, api.migrations(sid)[0]
        time.sleep(0.1)
    m = api.migrations(sid)[0]
    assert m['migration_type'] == 'live-migration', m
    assert s['OS-EXT-SRV-ATTR:hypervisor_hostname'] == host(s)
    return '%s -> %s, %s' % (src, host(s), s['OS-EXT-SRV-ATTR:instance_name'])


def _hold(api, sid):
    api.ctl('/control', {'server': sid, 'mode': 'hold'})
    st, b, rid = api.live(sid)
    assert st == 202, (st, b)
    api.ctl('/wait', {'server': sid, 'timeout': 20})
    time.sleep(0.5)
    migs = api.req('GET', '/servers/%s/migrations' % sid)[1]['migrations']
    assert len(migs) == 1 and migs[0]['status'] == 'running', migs
    return migs[0]


@check('hold + progress + abort')
def t_abort(api, ctx):
    sid = ctx['ids'][1]
    src = host(api.server(sid))
    m = _hold(api, sid)
    assert m['memory_total_bytes'] == 512 * 1024 * 1024, m
    assert 0 < m['memory_processed_bytes'], m
    assert m['memory_remaining_bytes'] < m['memory_total_bytes'], m
    st, b, rid = api.req('DELETE', '/servers/%s/migrations/%s'
                         % (sid, m['id']))
    assert st == 202, (st, b)
    s = api.idle(sid)
    assert s['status'] == 'ACTIVE' and host(s) == src, (s['status'], host(s))
    assert api.migrations(sid)[0]['status'] == 'cancelled'
    return 'processed %d of %d bytes, cancelled, still on %s' % (
        m['memory_processed_bytes'], m['memory_total_bytes'], src)


@check('hold + force-complete')
def t_force(api, ctx):
    sid = ctx['ids'][1]
    src = host(api.server(sid))
    m = _hold(api, sid)
    st, b, rid = api.req('POST', '/servers/%s/migrations/%s/action'
                         % (sid, m['id']), {'force_complete': None})
    assert st == 202, (st, b)
    s = api.wait(sid, lambda s: s['OS-EXT-STS:task_state'] is None and
                 host(s) != src)
    assert s['status'] == 'ACTIVE'
    t0 = time.time()
    while api.migrations(sid)[0]['status'] != 'completed':
        assert time.time() - t0 < 10, api.migrations(sid)[0]
        time.sleep(0.1)
    api.ctl('/control', {'server': sid, 'mode': 'normal'})
    return '%s -> %s' % (src, host(s))


@check('fail in hypervisor')
def t_fail(api, ctx):
    sid = ctx['ids'][2]
    src = host(api.server(sid))
    api.ctl('/control', {'server': sid, 'mode': 'fail'})
    st, b, rid = api.live(sid)
    assert st == 202 and rid, (st, b, rid)
    time.sleep(0.5)
    s = api.idle(sid)
    assert s['status'] == 'ACTIVE' and host(s) == src, (s['status'], host(s))
    assert api.migrations(sid)[0]['status'] == 'error'
    ev = api.req('GET', '/servers/%s/os-instance-actions/%s' % (sid, rid),
                 mv='2.84')[1]['instanceAction']
    api.ctl('/control', {'server': sid, 'mode': 'normal'})
    return 'migration error, ACTIVE on %s, action %s events %s' % (
        src, ev['request_id'], [(e['event'], e['result'])
                                for e in ev['events']])


@check('precheck-fail (scheduler)')
def t_precheck(api, ctx):
    sid = ctx['ids'][2]
    src = host(api.server(sid))
    api.ctl('/control', {'server': sid, 'mode': 'precheck-fail'})
    st, b, rid = api.live(sid)
    assert st == 202, (st, b)
    time.sleep(0.5)
    s = api.idle(sid)
    assert s['status'] == 'ACTIVE' and host(s) == src
    assert api.migrations(sid)[0]['status'] == 'error'
    ev = api.req('GET', '/servers/%s/os-instance-actions/%s' % (sid, rid),
                 mv='2.84')[1]['instanceAction']['events']
    details = ' | '.join(e.get('details') or '' for e in ev
                         if e['result'] == 'Error')
    assert 'No valid host' in details, ev
    return details[:120]


@check('precheck-fail (named host)')
def t_precheck_named(api, ctx):
    sid = ctx['ids'][2]
    src = host(api.server(sid))
    dest = [h for h in ctx['hosts'] if h != src][0]
    st, b, rid = api.live(sid, dest)
    assert st == 202, (st, b)
    time.sleep(0.5)
    s = api.idle(sid)
    assert s['status'] == 'ACTIVE' and host(s) == src
    ev = api.req('GET', '/servers/%s/os-instance-actions/%s' % (sid, rid),
                 mv='2.84')[1]['instanceAction']['events']
    details = ' | '.join(e.get('details') or '' for e in ev
                         if e['result'] == 'Error')
    api.ctl('/control', {'server': sid, 'mode': 'normal'})
    assert details, ev
    return details[:120]


@check('crash (server ERROR)')
def t_crash(api, ctx):
    sid = ctx['ids'][5]
    api.ctl('/control', {'server': sid, 'mode': 'crash', 'once': True})
    st, b, rid = api.live(sid)
    assert st == 202, (st, b)
    time.sleep(0.5)
    s = api.idle(sid)
    assert s['status'] == 'ERROR', s['status']
    assert api.migrations(sid)[0]['status'] == 'error'
    return 'server ERROR on %s' % host(s)


@check('cold migration + confirm')
def t_cold_confirm(api, ctx):
    sid = ctx['ids'][3]
    src = host(api.server(sid))
    st, b, rid = api.req('POST', '/servers/%s/action' % sid,
                         {'migrate': None})
    assert st == 202, (st, b)
    s = api.wait(sid, lambda s: s['status'] == 'VERIFY_RESIZE')
    dst = host(s)
    st, b, rid = api.req('POST', '/servers/%s/action' % sid,
                         {'confirmResize': None})
    assert st == 204, (st, b)
    s = api.wait(sid, lambda s: s['status'] == 'ACTIVE')
    assert host(s) == dst != src
    assert api.migrations(sid)[0]['status'] == 'confirmed'
    return '%s -> %s' % (src, dst)


@check('cold migration + revert')
def t_cold_revert(api, ctx):
    sid = ctx['ids'][3]
    src = host(api.server(sid))
    api.req('POST', '/servers/%s/action' % sid, {'migrate': None})
    api.wait(sid, lambda s: s['status'] == 'VERIFY_RESIZE')
    st, b, rid = api.req('POST', '/servers/%s/action' % sid,
                         {'revertResize': None})
    assert st == 202, (st, b)
    s = api.wait(sid, lambda s: s['status'] == 'ACTIVE' and
                 s['OS-EXT-STS:task_state'] is None)
    assert host(s) == src
    assert api.migrations(sid)[0]['status'] == 'reverted'
    return 'back on %s' % src


@check('cold-fail')
def t_cold_fail(api, ctx):
    sid = ctx['ids'][3]
    src = host(api.server(sid))
    api.ctl('/control', {'server': sid, 'mode': 'cold-fail', 'once': True})
    api.req('POST', '/servers/%s/action' % sid, {'migrate': None})
    time.sleep(0.5)
    s = api.idle(sid)
    assert s['status'] == 'ACTIVE' and host(s) == src, (s['status'], host(s))
    assert api.migrations(sid)[0]['status'] == 'error'
    return 'migration error, ACTIVE on %s' % src


@check('cold-hold + release')
def t_cold_hold(api, ctx):
    sid = ctx['ids'][4]
    api.ctl('/control', {'server': sid, 'mode': 'cold-hold', 'once': True})
    api.req('POST', '/servers/%s/action' % sid, {'migrate': None})
    api.ctl('/wait', {'server': sid})
    s = api.server(sid)
    assert s['OS-EXT-STS:task_state'] == 'resize_migrating', s
    api.ctl('/release', {'server': sid})
    api.wait(sid, lambda s: s['status'] == 'VERIFY_RESIZE')
    api.req('POST', '/servers/%s/action' % sid, {'confirmResize': None})
    api.wait(sid, lambda s: s['status'] == 'ACTIVE')
    return 'held in resize_migrating, then VERIFY_RESIZE'


@check('evacuate after forced_down')
def t_evacuate(api, ctx):
    src = host(api.server(ctx['ids'][4]))
    svc = api.req('GET', '/os-services?binary=nova-compute&host=%s'
                  % src)[1]['services'][0]
    st, b, rid = api.req('PUT', '/os-services/%s' % svc['id'], {
        'status': 'disabled', 'disabled_reason': 'selftest evacuation'})
    assert st == 200, (st, b)
    st, b, rid = api.req('PUT', '/os-services/%s' % svc['id'],
                         {'forced_down': True})
    assert st == 200, (st, b)
    on = [s['id'] for s in api.req('GET', '/servers/detail?host=%s'
                                   % src)[1]['servers']]
    for sid in on:
        st, b, rid = api.req('POST', '/servers/%s/action' % sid,
                             {'evacuate': {}}, mv='2.68')
        assert st == 200, (st, b)
    for sid in on:
        api.wait(sid, lambda s: s['OS-EXT-STS:task_state'] is None and
                 host(s) != src)
    types = set(m['migration_type'] for m in api.migrations(on[0]))
    assert 'evacuation' in types, types
    # Nova refuses forced_down=false while `done` evacuations remain:
    # restart the compute (it then cleans up and completes them).
    st, b, rid = api.req('PUT', '/os-services/%s' % svc['id'],
                         {'forced_down': False})
    assert st == 400, (st, b)
    api.ctl('/compute', {'host': src, 'action': 'restart'})
    st, b, rid = api.req('PUT', '/os-services/%s' % svc['id'],
                         {'forced_down': False})
    assert st == 200, (st, b)
    st, b, rid = api.req('PUT', '/os-services/%s' % svc['id'],
                         {'status': 'enabled'})
    assert st == 200, (st, b)
    hv = api.ctl('/hypervisors')
    assert not hv[src]['instances'], hv[src]
    return '%d servers off %s; restart, forced up, enabled' % (len(on), src)


@check('refresh hypervisor stats')
def t_refresh(api, ctx):
    r = api.ctl('/refresh', {})
    hvs = api.req('GET', '/os-hypervisors/detail', mv='2.87')[1][
        'hypervisors']
    nova_vms = sum(h['running_vms'] for h in hvs)
    fake_vms = sum(len(v['instances']) for v in api.ctl('/hypervisors')
                   .values())
    assert nova_vms == fake_vms, (nova_vms, fake_vms)
    hvs = api.req('GET', '/os-hypervisors/detail')[1]['hypervisors']
    assert all(h.get('uptime') for h in hvs), hvs
    return 'refreshed %s; running_vms %d' % (r['refreshed'], nova_vms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cloud', default=os.environ.get('VMM_CLOUD_PASSWORD',
                                                      'vmm-password'))
    args = ap.parse_args()
    api = Api(args.cloud)
    ctx = {'hosts': sorted(h['hypervisor_hostname'] for h in api.req(
        'GET', '/os-hypervisors')[1]['hypervisors'])}
    t0 = time.time()
    for t in (t_boot, t_live, t_abort, t_force, t_fail, t_precheck,
              t_precheck_named, t_crash, t_cold_confirm, t_cold_revert,
              t_cold_fail, t_cold_hold, t_evacuate, t_refresh):
        if t is not t_boot and 'ids' not in ctx:
            break
        t(api, ctx)
    for sid in ctx.get('ids', []):
        api.req('DELETE', '/servers/' + sid)
    passed = sum(RESULTS)
    failed = len(RESULTS) - passed
    print('selftest: %.1f s' % (time.time() - t0))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
