import t from 'tap'
import {
  GATEWAY_SCHEMA, TOPOLOGY_SCHEMA, loadGatewayConfig, parseDuration, parseTimerValue, parseTopology,
  type GatewayConfig, type Infer, type Loose, type RawTopology
} from '../../lib/config/index.js'

/** Compile-time equality: `Assert<Equal<A, B>>` fails typecheck (npm test runs tsc) when A and B differ. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
type Assert<T extends true> = T

// The types the loaders hand out are the schemas' own: a field declared once, in the schema.
export type Checks = [
  Assert<Equal<GatewayConfig, Infer<typeof GATEWAY_SCHEMA>>>,
  Assert<Equal<RawTopology, Loose<typeof TOPOLOGY_SCHEMA>>>,
  Assert<Equal<GatewayConfig['log']['level'], 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>>,
  // required or defaulted: always present; an object of defaults: always present
  Assert<Equal<GatewayConfig['timeouts']['easRequestTimeout'], number>>,
  Assert<Equal<GatewayConfig['pool']['backoff']['max'], number>>,
  // no default: optional; an object with required keys: optional as a whole
  Assert<Equal<GatewayConfig['ping']['minHeartbeat'], number | undefined>>,
  Assert<Equal<GatewayConfig['listen']['tls'], { readonly cert: string, readonly key: string, readonly minVersion: 'TLSv1.2' | 'TLSv1.3', readonly ciphers: string } | undefined>>,
  Assert<Equal<GatewayConfig['upstreams'][number]['ca'], string | undefined>>,
  Assert<Equal<NonNullable<RawTopology['hops']>[number], Loose<typeof TOPOLOGY_SCHEMA['fields']['hops']['items']> | undefined>>
]

t.test('the walker fills exactly what Infer says is always present', async (t) => {
  const l = loadGatewayConfig('upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\n', 'gw.yaml')
  const c = l.config
  if (c === undefined) throw new Error('minimal config refused')
  t.equal(c.listen.tls, undefined, 'listen.tls (required keys) is absent')
  t.equal(c.ping.minHeartbeat, undefined, 'ping.minHeartbeat (no default) is absent')
  t.equal(c.upstreams[0]?.ca, undefined, 'upstreams[].ca is absent')
  t.type(c.pool.backoff.max, 'number', 'nested defaults are filled')
  t.type(c.limits.perDevice.burst, 'number')
  t.equal(c.log.level, 'info')
})

t.test('a layout error leaves the loose value, with the broken field absent', async (t) => {
  const p = parseTopology('server: { kind: exchange }\nhops:\n  - { name: a, kind: nginx, closeOn401: maybe }\n', 'topo.yaml')
  t.equal(p.diagnostics.length, 1)
  t.equal(p.value?.hops?.[0]?.name, 'a')
  t.equal(p.value?.hops?.[0]?.closeOn401, undefined)
})

t.test('one duration parser: config and topology read the same units, with their own bounds', async (t) => {
  t.same(parseDuration('2d'), { ms: 172_800_000 }, 'config accepts days')
  t.same(parseTimerValue('2d'), { value: 172_800_000 }, 'topology accepts days')
  t.same(parseDuration('1h30m'), { ms: 5_400_000 })
  t.same(parseTimerValue('1h30m'), { value: 5_400_000 })
  t.match(parseDuration('8d'), { error: /longer than 7 days/ }, 'config caps at 7 days')
  t.same(parseTimerValue('8d'), { value: 691_200_000 }, 'vendor timers do not (Cisco ASA 1193 h)')
  t.match(parseDuration('90'), { error: /^90 has no unit/ })
  t.match(parseTimerValue('90'), { error: /^90 has no unit/ })
  t.same(parseDuration('90', { unit: 's' }), { ms: 90_000 }, 'a caller may name the unit of a bare number')
  t.match(parseDuration('5 fortnights'), { error: /invalid duration "5 fortnights"/ })
  t.match(parseTimerValue('5 fortnights'), { error: /invalid timeout "5 fortnights"/ })
})

t.test('a misspelt gateway.yaml key gets "did you mean", not only a case-insensitive match', async (t) => {
  const l = loadGatewayConfig('upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\ntimeouts: { drainGrase: 5s }\nadmn: {}\n', 'gw.yaml')
  t.match(l.diagnostics, [
    { code: 'GW0002', line: 2, col: 13, message: /did you mean "drainGrace"\?/ },
    { code: 'GW0002', line: 3, col: 1, message: /did you mean "admin"\?/ }
  ])
  const far = loadGatewayConfig('upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\nzzzzzz: 1\n', 'gw.yaml')
  t.match(far.diagnostics[0]?.message, /expected one of: listen, upstreams/, 'nothing close: the list instead')
})
