import t from 'tap'
import { loadGatewayConfig, parseDuration, formatDuration } from '../../lib/config/index.js'
import { lintGatewayConfig } from '../../lib/lint/index.js'

const BASE = `listen: { host: 127.0.0.1, port: 8443 }
upstreams:
  - { name: exchange1, url: https://mail.internal/ }
server: { minHeartbeat: 60s, maxHeartbeat: 3540s }
timeouts: { easRequestTimeout: 61m, executionTimeout: 62m, drainGrace: 30s }
`

t.test('durations', async (t) => {
  t.same(parseDuration('250ms'), { ms: 250 })
  t.same(parseDuration('90s'), { ms: 90_000 })
  t.same(parseDuration('61m'), { ms: 3_660_000 })
  t.same(parseDuration('1h'), { ms: 3_600_000 })
  t.same(parseDuration('1h30m'), { ms: 5_400_000 })
  t.match(parseDuration(60), { error: /no unit/ })
  t.match(parseDuration('60 parsecs'), { error: /invalid duration/ })
  t.match(parseDuration('9999h'), { error: /7 days/ })
  t.equal(formatDuration(3_540_000), '59m')
  t.equal(formatDuration(3_545_000), '3545s')
  t.equal(formatDuration(250), '250ms')
  t.equal(formatDuration(7_200_000), '2h')
})

t.test('the issue example loads with defaults and holds the invariant', async (t) => {
  const l = loadGatewayConfig(BASE, 'gw.yaml')
  t.same(l.diagnostics, [])
  t.equal(l.config?.timeouts.easRequestTimeout, 3_660_000)
  t.equal(l.config?.admin.listen.port, 9464)
  t.equal(l.config?.admin.listen.host, '127.0.0.1')
  t.equal(l.config?.proxy.closeOn401, true)
  t.equal(l.config?.upstreams[0]?.verifyCertificate, true)
  t.ok(Object.isFrozen(l.config?.timeouts))
  t.same(lintGatewayConfig(l), [])
})

t.test('defaults alone hold the invariant for Exchange (3540 s)', async (t) => {
  const l = loadGatewayConfig('upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\n', 'gw.yaml')
  t.same(lintGatewayConfig(l), [])
})

/** 1-based column of `needle` on `line` of `text`: the position a finding must point at. */
function colOf (text: string, line: number, needle: string): number {
  const i = (text.split('\n')[line - 1] ?? '').indexOf(needle)
  if (i < 0) throw new Error(`"${needle}" not on line ${line}`)
  return i + 1
}

// [name, text, code, line, the text the finding must point at]
const cases: [string, string, string, number, string][] = [
  ['unknown key', BASE + 'bogus: 1\n', 'GW0002', 6, 'bogus'],
  ['misspelt key suggests', BASE.replace('drainGrace', 'draingrace'), 'GW0002', 5, 'draingrace'],
  ['bad duration', BASE.replace('drainGrace: 30s', 'drainGrace: 30'), 'GW0005', 5, '30 }'],
  ['wrong type', BASE.replace('port: 8443', 'port: "x"'), 'GW0003', 1, '"x"'],
  ['port range', BASE.replace('port: 8443', 'port: 70000'), 'GW0006', 1, '70000'],
  ['bad url scheme', BASE.replace('https://mail.internal/', 'ftp://mail.internal/'), 'GW0006', 3, 'ftp:'],
  ['trustedProxies entry not a CIDR', BASE.replace('port: 8443 }', 'port: 8443, trustedProxies: [10.0.0.0/8, 10.0.0.0/33] }'), 'GW0006', 1, '10.0.0.0/33'],
  ['proxyProtocol not v1, v2 or off', BASE.replace('port: 8443 }', 'port: 8443, proxyProtocol: v3 }'), 'GW0006', 1, 'v3'],
  ['missing upstreams', BASE.replace(/upstreams:\n.*\n/, ''), 'GW0004', 1, 'listen'],
  ['yaml syntax', BASE + 'x: [1, 2\n', 'GW0001', 7, ''],
  ['duplicate key', BASE + 'log: {}\nlog: {}\n', 'GW0001', 7, 'log'],
  ['executionTimeout <= easRequestTimeout', BASE.replace('executionTimeout: 62m', 'executionTimeout: 60m'), 'GW0101', 5, '60m'],
  ['easRequestTimeout <= heartbeat + margin', BASE.replace('easRequestTimeout: 61m', 'easRequestTimeout: 15m'), 'GW0102', 5, '15m']
]
for (const [name, text, code, line, needle] of cases) {
  t.test(name, async (t) => {
    const d = lintGatewayConfig(loadGatewayConfig(text, 'gw.yaml'))
    t.ok(d.length >= 1, 'at least one finding')
    t.match(d[0], { code, file: 'gw.yaml', line, col: needle === '' ? Number : colOf(text, line, needle), severity: 'error' })
  })
}

t.test('a misspelt key gets a suggestion', async (t) => {
  const d = lintGatewayConfig(loadGatewayConfig(BASE.replace('drainGrace', 'draingrace'), 'gw.yaml'))
  t.match(d[0]?.message, /did you mean "drainGrace"/)
})

t.test('duplicate upstream names', async (t) => {
  const d = lintGatewayConfig(loadGatewayConfig(BASE.replace(/( {2}- .*\n)/, '$1$1'), 'gw.yaml'))
  t.match(d, [{ code: 'GW0007', line: 4, col: 13 }])
})

t.test('GW0102 message names every value', async (t) => {
  const d = lintGatewayConfig(loadGatewayConfig(BASE.replace('easRequestTimeout: 61m', 'easRequestTimeout: 15m'), 'gw.yaml'))
  t.equal(d[0]?.message, 'easRequestTimeout (15m) must be longer than server.maxHeartbeat (59m) + heartbeatMargin (1m) = 1h')
})
