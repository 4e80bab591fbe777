import t from 'tap'
import { colOf, lineOf, lintText } from './lint-helpers.js'

// GW0117 safe-heartbeat-outside-horde-range: the path's largest safe heartbeat against Horde's
// heartbeatmin/heartbeatmax (catalog defaults 60 s / 2700 s, or the topology's server bounds).
const path = (server: string, timeout: string): string =>
  `server: ${server}\nmargin: 5s\nhops:\n  - name: ng\n    kind: nginx\n    balancing: single\n    timeouts:\n      proxy_read_timeout: ${timeout}\n      proxy_send_timeout: ${timeout}\n`

const invalid = [
  {
    name: 'safe heartbeat below Horde\'s default minimum',
    text: path('{ kind: horde }', '50s'),
    severity: 'error',
    lineNeedle: 'proxy_read_timeout',
    needle: '50s',
    message: /largest heartbeat this path carries safely is 44s \(proxy_read_timeout 50s on hop "ng"\), below Horde's minimum 1m \(not set: Horde's default activesync\.ping\.heartbeatmin\)/
  },
  { name: 'safe heartbeat below a set minimum', text: path('{ kind: horde, minHeartbeat: 30s, maxHeartbeat: 10m }', '20s'), severity: 'error', lineNeedle: 'proxy_read_timeout', needle: '20s', message: /below Horde's minimum 30s:/ },
  {
    name: 'safe heartbeat above Horde\'s default maximum',
    text: path('{ kind: horde }', '2h'),
    severity: 'warning',
    lineNeedle: 'horde',
    needle: 'horde',
    message: /above Horde's maximum 45m \(not set: Horde's default activesync\.ping\.heartbeatmax\): Horde answers longer Pings at once with Status 5/
  },
  { name: 'safe heartbeat above a set maximum', text: path('{ kind: horde, minHeartbeat: 5s, maxHeartbeat: 600s }', '20m'), severity: 'warning', lineNeedle: 'server', needle: '600s', message: /above Horde's maximum 10m:/ }
]

const valid = [
  { name: 'inside Horde\'s default range', text: path('{ kind: horde }', '2000s') },
  { name: 'exactly at the minimum', text: path('{ kind: horde, minHeartbeat: 14s, maxHeartbeat: 600s }', '20s') },
  { name: 'not Horde: SOGo with the same short hop', text: path('{ kind: sogo, minHeartbeat: 60s, maxHeartbeat: 600s }', '50s') },
  { name: 'no hop bounds the heartbeat', text: 'server: { kind: horde }\nhops: []\n' }
]

for (const c of invalid) {
  t.test(`GW0117 invalid: ${c.name}`, async (t) => {
    const r = await lintText(c.text)
    const hits = r.findings.filter((d) => d.code === 'GW0117')
    t.equal(hits.length, 1, 'exactly one finding of the rule')
    const line = lineOf(c.text, c.lineNeedle)
    t.match(hits[0], { code: 'GW0117', rule: 'safe-heartbeat-outside-horde-range', severity: c.severity, file: 'topology.yaml', line, col: colOf(c.text, line, c.needle) })
    t.match(hits[0]?.message, c.message)
    t.notMatch(hits[0]?.message ?? '', /\{\w+\}/, 'every placeholder filled')
  })
}

for (const c of valid) {
  t.test(`GW0117 valid: ${c.name}`, async (t) => {
    const r = await lintText(c.text)
    t.same(r.findings.filter((d) => d.code === 'GW0117'), [])
  })
}
