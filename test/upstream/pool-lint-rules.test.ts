import t from 'tap'
import { loadGatewayConfig } from '../../lib/config/index.js'
import { runRules, type Rule, type ValidGatewayConfig } from '../../lib/lint/index.js'
import { rule as backoffInitialAboveMax } from '../../lib/lint/rules/backoff-initial-above-max.js'
import { rule as backoffMaxNotBelowErrorExpiry } from '../../lib/lint/rules/backoff-max-not-below-error-expiry.js'
import { rule as deviceRateAboveGlobalRate } from '../../lib/lint/rules/device-rate-above-global-rate.js'
import { rule as healthCheckIntervalNotBelowErrorExpiry } from '../../lib/lint/rules/health-check-interval-not-below-error-expiry.js'
import { rule as healthCheckTimeoutNotBelowInterval } from '../../lib/lint/rules/health-check-timeout-not-below-interval.js'
import { rule as heldPingsAboveConnections } from '../../lib/lint/rules/held-pings-above-connections.js'
import { rule as http2StreamLimitSavesLittle } from '../../lib/lint/rules/http2-stream-limit-saves-little.js'

// Rule tables (typescript-eslint RuleTester style) for the pool and limits rules GW0201-GW0206:
// valid cases give nothing, each invalid case one finding at the offending value.
const POOL_RULES: readonly Rule[] = [
  healthCheckIntervalNotBelowErrorExpiry, healthCheckTimeoutNotBelowInterval, backoffInitialAboveMax,
  backoffMaxNotBelowErrorExpiry, deviceRateAboveGlobalRate, heldPingsAboveConnections
]
const HEAD = 'upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\n'

function lint (body: string): ReturnType<typeof runRules> {
  const l = loadGatewayConfig(HEAD + body, 'gw.yaml')
  if (l.config === undefined) throw new Error(JSON.stringify(l.diagnostics))
  return runRules({ gateways: [l as ValidGatewayConfig] }, POOL_RULES)
}

/** 1-based column of `needle` on line `line` of HEAD + body. */
function colOf (body: string, line: number, needle: string): number {
  return ((HEAD + body).split('\n')[line - 1] ?? '').indexOf(needle) + 1
}

t.test('rule anatomy: id = file name, codes GW0201-GW0206 in order', async (t) => {
  t.same(POOL_RULES.map((r) => r.code), ['GW0201', 'GW0202', 'GW0203', 'GW0204', 'GW0205', 'GW0206'])
  for (const r of POOL_RULES) {
    t.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/)
    t.ok(r.description.length > 0 && r.hint.length > 0 && Object.keys(r.messages).length > 0, r.id)
  }
})

t.test('valid: the defaults, and sensible test-scale settings', async (t) => {
  const valid = [
    '',
    'pool: { healthCheck: { interval: 50ms, timeout: 20ms }, backoff: { initial: 100ms, max: 400ms, errorExpiry: 1m } }\n',
    'limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 100, burst: 5000 } }\n',
    'limits: { perDevice: { requestsPerSecond: 0, burst: 9999 } }\n',
    'limits: { maxHeldPings: 0, maxConnections: 10 }\n',
    'limits: { maxHeldPings: 100, maxConnections: 0 }\n',
    'pool: { backoff: { initial: 2m, max: 2m } }\n'
  ]
  for (const body of valid) t.same(lint(body), [], JSON.stringify(body))
})

// [name, body, code, messageId-bearing text, line, the text the finding points at]
const invalid: [string, string, string, RegExp, number, string][] = [
  ['interval + timeout reach the expiry', 'pool: { healthCheck: { interval: 1h } }\n', 'GW0201', /forgotten before 3 of them/, 2, '1h'],
  ['expiry lowered below the default interval', 'pool: { backoff: { initial: 1s, max: 10s, errorExpiry: 12s } }\n', 'GW0201', /interval \(10s\) \+ timeout \(5s\)/, 2, 'pool'],
  ['timeout at the interval', 'pool: { healthCheck: { interval: 5s, timeout: 5s } }\n', 'GW0202', /probed only every 10s/, 2, '5s }'],
  ['initial above max', 'pool:\n  backoff: { initial: 5m }\n', 'GW0203', /initial \(5m\) is above pool.backoff.max \(2m\)/, 3, '5m'],
  ['max at the expiry', 'pool: { backoff: { max: 1h } }\n', 'GW0204', /backoff never grows/, 2, '1h'],
  ['device rate at the global rate', 'limits: { requestsPerSecond: 10, burst: 100, perDevice: { requestsPerSecond: 10, burst: 5 } }\n', 'GW0205', /whole global budget/, 2, '10, burst: 5'],
  ['device burst above the global burst', 'limits: { burst: 20 }\n', 'GW0205', /perDevice.burst \(50\) is not below limits.burst \(20\)/, 2, 'limits'],
  ['held Pings at the connection cap', 'limits: { maxHeldPings: 500, maxConnections: 500 }\n', 'GW0206', /connection cap refuses/, 2, '500,']
]

t.test('invalid: one finding each, with its code, message and position', async (t) => {
  for (const [name, body, code, message, line, at] of invalid) {
    const found = lint(body)
    t.equal(found.length, 1, name)
    t.match(found[0], { code, severity: POOL_RULES.find((r) => r.code === code)?.severity, line, col: colOf(body, line, at), file: 'gw.yaml' }, name)
    t.match(found[0]?.message, message, name)
  }
})

t.test('GW0207 http2-stream-limit-saves-little: a stream limit of a few Pings per connection', async (t) => {
  const run = (text: string): ReturnType<typeof runRules> => {
    const l = loadGatewayConfig(text, 'gw.yaml')
    if (l.config === undefined) throw new Error(JSON.stringify(l.diagnostics))
    return runRules({ gateways: [l as ValidGatewayConfig] }, [http2StreamLimitSavesLittle])
  }
  t.equal(http2StreamLimitSavesLittle.code, 'GW0207')
  for (const valid of [
    'upstreams: [{ name: a, url: "http://127.0.0.1:1/", http2: true }]\n',
    'upstreams: [{ name: a, url: "http://127.0.0.1:1/", http2: true, maxStreamsPerConnection: 128 }]\n',
    'upstreams: [{ name: a, url: "http://127.0.0.1:1/", http2: true, maxStreamsPerConnection: 10 }]\n'
  ]) t.same(run(valid), [], valid)
  const few = 'limits: { maxHeldPings: 2000 }\nupstreams:\n  - { name: a, url: "http://127.0.0.1:1/", http2: true, maxStreamsPerConnection: 4 }\n'
  const [f] = run(few)
  t.match(f, { code: 'GW0207', severity: 'warning', line: 3, col: ((few.split('\n')[2] ?? '').indexOf('4 }')) + 1 })
  t.match(f?.message, /at most 4 streams per connection: 2000 held Pings take up to 500 connections/)
  const off = 'limits: { maxHeldPings: 0 }\nupstreams: [{ name: a, url: "http://127.0.0.1:1/", http2: true, maxStreamsPerConnection: 1 }]\n'
  t.match(run(off)[0]?.message, /10000 \(limits.maxHeldPings is off; assumed\) held Pings take up to 10000 connections/)
  const noH2 = 'upstreams: [{ name: a, url: "http://127.0.0.1:1/", maxStreamsPerConnection: 100 }]\n'
  const found = run(noH2)
  t.equal(found.length, 1)
  t.match(found[0]?.message, /sets maxStreamsPerConnection without http2: true/)
  const forNoH2 = 'upstreams:\n  - { name: a, url: "https://127.0.0.1:1/", http2For: pings }\n'
  const [g] = run(forNoH2)
  t.match(g, { code: 'GW0207', line: 2, col: ((forNoH2.split('\n')[1] ?? '').indexOf('pings')) + 1 })
  t.match(g?.message, /upstream "a" sets http2For without http2: true; it has no effect/)
  t.same(run('upstreams: [{ name: a, url: "https://127.0.0.1:1/", http2: true, http2For: pings }]\n'), [], 'http2For with http2')
})
