import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadCatalog } from '../../lib/config/index.js'
import { ROOT, shippedCatalog } from './lint-helpers.js'

const catalog = shippedCatalog()
const settings = Object.values(catalog.kinds).flatMap((k) => Object.values(k.settings).map((s) => ({ kind: k, s })))

t.test('every catalog file in policies/ loads without a finding', async (t) => {
  const files = readdirSync(join(ROOT, 'policies')).filter((f) => /catalog.*\.ya?ml$/.test(f))
  t.ok(files.includes('timeouts-catalog.yaml'))
  for (const f of files) t.same(loadCatalog(readFileSync(join(ROOT, 'policies', f), 'utf8'), f).diagnostics, [], f)
})

t.test('the hop kinds the issue asks for are all there', async (t) => {
  for (const k of ['f5-tcp', 'f5-fastl4', 'f5-snat', 'haproxy', 'nginx', 'ingress-nginx', 'envoy', 'traefik', 'aws-alb', 'aws-nlb',
    'aws-elb', 'aws-nat-gateway', 'aws-cloudfront', 'azure-lb', 'azure-nat-gateway', 'azure-app-gateway', 'azure-front-door',
    'gcp-lb', 'gcp-cloud-nat', 'cloudflare', 'iis', 'iis-arr', 'workspace-one-seg', 'entra-app-proxy', 'cisco-asa', 'palo-alto', 'fortigate',
    'check-point', 'linux-conntrack', 'carrier-nat', 'node-undici', 'eas-gateway']) {
    t.ok(catalog.kinds[k], k)
  }
  t.same(Object.keys(catalog.servers).sort(), ['exchange', 'grommunio', 'horde', 'other', 'sogo', 'zpush'])
})

t.test('server defaults from the notes', async (t) => {
  t.match(catalog.servers.exchange, { minHeartbeat: { value: 60_000 }, maxHeartbeat: { value: 3_540_000, setting: 'MaxHeartbeatInterval' } })
  t.match(catalog.servers.sogo, { maxHeartbeat: { value: 10_000, setting: 'SOGoMaximumPingInterval' } })
  t.equal(catalog.servers.other?.maxHeartbeat.value, 'unknown')
})

t.test('every entry has its facts: default, max, semantics, keepalive, source, confidence', async (t) => {
  for (const { kind, s } of settings) {
    const name = `${kind.name} ${s.name}`
    t.ok(s.source.length > 0, `${name}: source`)
    t.ok(['confirmed', 'secondary', 'unconfirmed'].includes(s.confidence), `${name}: confidence`)
    if (s.appliesToPing) t.ok(['idle', 'response', 'lifetime'].includes(s.semantics), `${name}: a Ping timer is idle, response or lifetime`)
    if (s.refreshedByKeepalive) t.equal(kind.layer, 'l4', `${name}: only L4 timers count packets`)
    if (typeof s.default === 'number' && typeof s.max === 'number') t.ok(s.default <= s.max, `${name}: default within max`)
    if (typeof s.default === 'number' && typeof s.min === 'number') t.ok(s.default >= s.min, `${name}: default within min`)
  }
})

t.test('hard caps below Exchange\'s heartbeat (notes B.2)', async (t) => {
  const max = (k: string, s: string): unknown => catalog.kinds[k]?.settings[s]?.max
  t.equal(max('entra-app-proxy', 'applicationServerTimeout'), 180_000)
  t.equal(max('azure-front-door', 'originResponseTimeoutSeconds'), 240_000)
  t.equal(max('cloudflare', 'proxy_read_timeout'), 120_000)
  t.equal(max('aws-cloudfront', 'OriginReadTimeout'), 180_000)
  t.equal(max('aws-nlb-tls', 'tcp.idle_timeout.seconds'), 350_000)
  t.equal(max('aws-nat-gateway', 'tcp-idle-timeout'), 350_000)
  t.equal(catalog.kinds['carrier-nat']?.settings['tcp-idle-timeout']?.default, 'unknown', 'carrier NAT: no reliable default')
  t.equal(catalog.kinds.haproxy?.settings['timeout server']?.default, 'none', 'HAProxy unset: no timer')
  t.equal(catalog.kinds['node-undici']?.settings.headersTimeout?.default, 300_000)
})

t.test('entries marked unconfirmed (reported to the team; changes here are deliberate)', async (t) => {
  const unconfirmed = settings.filter(({ s }) => s.confidence === 'unconfirmed').map(({ kind, s }) => `${kind.name} ${s.name}`)
  t.same(unconfirmed, [
    'f5-tcp keep-alive-interval', 'nginx-fastcgi fastcgi_read_timeout', 'nginx-fastcgi fastcgi_send_timeout', 'nginx-fastcgi fastcgi_connect_timeout',
    'traefik forwardingTimeouts.dialTimeout', 'traefik forwardingTimeouts.idleConnTimeout', 'aws-cloudfront OriginKeepaliveTimeout',
    'azure-front-door originResponseTimeoutSeconds', 'iis-arr timeout', 'workspace-one-seg easRequestTimeOut', 'carrier-nat tcp-idle-timeout', 'other-l4 idle-timeout',
    'other-l7 idle-timeout', 'other-l7 response-timeout'
  ])
})
