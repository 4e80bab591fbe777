/**
 * Self-test of the integration helpers: WBXML conversion against the known
 * vectors of shared PROTOCOL.md §6, the XML reader, and the nginx / HAProxy /
 * Prometheus starters (in front of the SOGo fixture), including their teardown.
 */
import t from 'tap';
import {
  canConnect,
  easRequest,
  folderSync,
  fromWbxml,
  newDeviceId,
  parseXml,
  findAll,
  childText,
  pingXml,
  portsFromListening,
  queryPrometheus,
  requirePeer,
  sogoFixture,
  startHaproxy,
  startNginx,
  startPrometheus,
  toWbxml,
  waitForScrape,
} from './index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

t.test('toWbxml / fromWbxml match the PROTOCOL.md vectors', async (t) => {
  if (!(await requirePeer(t, 'libwbxml'))) return;
  const ping = await toWbxml(
    pingXml({ heartbeat: 480, folders: [{ id: '1', class: 'Email' }, { id: '3', class: 'Calendar' }] }),
  );
  t.equal(
    ping.toString('hex'),
    hex(`03 01 6A 00 00 0D 45 48 03 34 38 30 00 01 49 4A 4B 03 31 00 01 4C 03 45 6D 61 69 6C 00 01 01 4A 4B 03
      33 00 01 4C 03 43 61 6C 65 6E 64 61 72 00 01 01 01 01`).toString('hex'),
    'Ping request HB 480 encodes byte-exactly (header 03 01 6A 00, no string table)',
  );
  const fsReq = await toWbxml('<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>');
  t.equal(fsReq.toString('hex'), '03016a00000756520330000101', 'FolderSync SyncKey 0');

  const xml = await fromWbxml(hex('03 01 6A 00 00 0D 45 47 03 32 00 01 49 4A 03 31 00 01 4A 03 33 00 01 01 01'));
  const doc = parseXml(xml);
  t.equal(doc.name, 'Ping', 'root element');
  t.equal(doc.ns, 'Ping:', 'root namespace');
  t.equal(childText(doc, 'Status'), '2', 'Status 2');
  t.same(findAll(doc, 'Folder').map((f) => f.text), ['1', '3'], 'changed folders');
  t.equal(await fromWbxml(Buffer.alloc(0)), '', 'empty body decodes to ""');
  await t.rejects(fromWbxml(Buffer.from('not wbxml')), /wbxml2xml failed/, 'garbage is rejected');
});

t.test('parseXml', async (t) => {
  const doc = parseXml(
    '<?xml version="1.0"?><!DOCTYPE x><a xmlns="A:" xmlns:b="B:"><b:c k=\'v\'>x &amp; y</b:c><d/><![CDATA[<raw>]]></a>',
  );
  t.equal(doc.children[0]?.ns, 'B:', 'prefixed namespace resolved');
  t.equal(doc.children[0]?.text, 'x & y', 'entities decoded');
  t.same(doc.children[0]?.attrs, { k: 'v' }, 'attributes');
  t.equal(doc.children[1]?.name, 'd', 'self-closing element');
  t.equal(doc.text, '<raw>', 'CDATA text');
  t.throws(() => parseXml('<a><b></a>'), /unexpected <\/a>/, 'mismatched tags are rejected');
  t.throws(() => parseXml('<a>'), /not closed/, 'unclosed root is rejected');
});

t.test('portsFromListening understands the common shapes', async (t) => {
  t.same(portsFromListening({ msg: 'listening', port: 1234, adminPort: 1235, upstreams: ['x'] }), { main: 1234, admin: 1235 }, 'port/adminPort (what the gateway logs)');
  t.same(
    portsFromListening({ msg: 'listening', listen: { host: '127.0.0.1', port: 1 }, admin: { host: '127.0.0.1', port: 2 } }),
    { main: 1, admin: 2 },
    'listen.port / admin.port',
  );
  t.same(portsFromListening({ msg: 'listening', url: 'http://127.0.0.1:7/', adminUrl: 'http://127.0.0.1:8' }), { main: 7, admin: 8 }, 'url/adminUrl');
  t.same(portsFromListening({ msg: 'listening', name: 'admin', port: 9 }), { admin: 9 }, 'a line tagged admin');
  t.same(portsFromListening({ msg: 'listening', ports: { listen: 5, admin: 6 }, upstream: { url: 'http://127.0.0.1:18080' } }), {
    main: 5,
    admin: 6,
  }, 'ports.{listen,admin}; upstream URLs are ignored');
});

t.test('nginx in front of SOGo: proxies EAS, keeps the client connection, is gone after stop', async (t) => {
  if (!(await requirePeer(t, ['sogo', 'nginx', 'libwbxml']))) return;
  const fx = sogoFixture();
  const nginx = await startNginx(t, { upstream: new URL(fx.directUrl).origin, readTimeoutSec: 120 });
  const base = `${nginx.url}/SOGo/Microsoft-Server-ActiveSync`;
  const res = await easRequest({ baseUrl: base, user: fx.alice.user, password: fx.alice.password, timeoutMs: 30_000 });
  t.equal(res.status, 200, 'OPTIONS through nginx is 200');
  t.equal(res.socketClosed, false, 'nginx keeps the client connection open');
  const fs = await folderSync({ baseUrl: base, user: fx.alice.user, password: fx.alice.password, deviceId: newDeviceId('itngx') });
  t.equal(fs.status, '1', 'FolderSync through nginx');
  await nginx.stop();
  t.equal(await canConnect(nginx.port, 500), false, 'port closed after stop');
});

t.test('HAProxy in front of SOGo', async (t) => {
  if (!(await requirePeer(t, ['sogo', 'haproxy', 'libwbxml']))) return;
  const fx = sogoFixture();
  const hap = await startHaproxy(t, { upstream: fx.easUrl, timeouts: { server: '120s', client: '120s' } });
  const base = `${hap.url}/Microsoft-Server-ActiveSync`;
  const fs = await folderSync({ baseUrl: base, user: fx.alice.user, password: fx.alice.password, deviceId: newDeviceId('ithap') });
  t.equal(fs.response.status, 200, 'HTTP 200 through HAProxy');
  t.ok(fs.folders.some((f) => f.type === 2), 'FolderSync lists the INBOX');
  const bad = await easRequest({ baseUrl: base, user: fx.alice.user, password: 'wrong', timeoutMs: 30_000 });
  t.equal(bad.status, 401, 'wrong password → 401 through HAProxy');
  await hap.stop();
  t.equal(await canConnect(hap.port, 500), false, 'port closed after stop');
});

t.test('Prometheus scrapes a target', async (t) => {
  if (!(await requirePeer(t, 'prometheus'))) return;
  // Prometheus scrapes its own /metrics: no other peer needed.
  const prom = await startPrometheus(t, {
    config: ({ port }) =>
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  });
  await waitForScrape(prom);
  const up = await queryPrometheus(prom, 'up{job="self"}');
  t.equal(up[0]?.value[1], '1', 'up{job="self"} == 1');
});
