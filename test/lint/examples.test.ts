import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { runLint } from '../../lib/cli/lint.js'
import { loadGatewayConfig } from '../../lib/config/index.js'
import { lintGatewayConfig } from '../../lib/lint/index.js'
import { colOf, lineOf, memoryIo, ROOT } from './lint-helpers.js'

// Every example in examples/ with what it must yield: codes in output order, exit code, and the
// largest safe heartbeat (seconds; null when no hop bounds it).
const EXPECTED: Record<string, { codes: string[], exit: number, safe: number | null, boundBy?: string }> = {
  'f5-exchange': { codes: [], exit: 0, safe: 2039, boundBy: 'f5' },
  'f5-exchange-short-request-timeout': { codes: ['GW0102'], exit: 1, safe: 839, boundBy: 'gateway' },
  'azure-lb-default': { codes: ['GW0103'], exit: 1, safe: 179, boundBy: 'azure-lb' },
  'aws-alb-60s': { codes: ['GW0112', 'GW0111', 'GW0103'], exit: 1, safe: 0, boundBy: 'alb' },
  'cloudflare-front': { codes: ['GW0104', 'GW0112'], exit: 1, safe: 59, boundBy: 'cloudflare' },
  'haproxy-no-timeouts': { codes: ['GW0108', 'GW0112', 'GW0113', 'GW0111'], exit: 0, safe: null },
  'exchange-nginx-defaults': { codes: ['GW0103', 'GW0112', 'GW0111'], exit: 1, safe: 0, boundBy: 'nginx' },
  'keepalive-both-ways': { codes: ['GW0115', 'GW0103'], exit: 1, safe: 539, boundBy: 'nginx' },
  // Clean only because bigip.conf, nginx.conf and haproxy.cfg are read: their vendor defaults (F5 300 s, nginx 60 s, HAProxy none) would fail.
  'f5-exchange-real-configs': { codes: [], exit: 0, safe: 1919, boundBy: 'gateway' },
  'envoy-exchange': { codes: ['GW0103'], exit: 1, safe: 239, boundBy: 'envoy' },
  'ingress-nginx-exchange': { codes: [], exit: 0, safe: 1919, boundBy: 'gateway' },
  'seg-web-config': { codes: ['GW0103'], exit: 1, safe: 539, boundBy: 'seg' },
  'nginx-config-drift': { codes: ['GW0014', 'GW0103'], exit: 1, safe: 239, boundBy: 'edge' }
}

const dirs = readdirSync(join(ROOT, 'examples'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)

t.test('every example has an expectation, and every expectation an example', async (t) => {
  t.same([...dirs].sort(), Object.keys(EXPECTED).sort())
})

for (const dir of dirs) {
  t.test(`examples/${dir}`, async (t) => {
    const want = EXPECTED[dir]
    if (want === undefined) { t.fail('no expectation'); return }
    const io = memoryIo()
    const code = await runLint([`examples/${dir}/topology.yaml`, '--format', 'json'], io)
    const doc = JSON.parse(io.out()) as { findings: { ruleId: string }[], heartbeat: { largestSafe: { seconds: number, hop: string } | null } | null }
    t.equal(code, want.exit, 'exit code')
    t.same(doc.findings.map((f) => f.ruleId), want.codes, 'findings')
    t.equal(doc.heartbeat?.largestSafe?.seconds ?? null, want.safe, 'largest safe heartbeat')
    if (want.boundBy !== undefined) t.equal(doc.heartbeat?.largestSafe?.hop, want.boundBy, 'bounded by')
    const text = memoryIo()
    t.equal(await runLint([`examples/${dir}/topology.yaml`], text), want.exit, 'same exit code in text')
  })
}

t.test('the short request timeout points at its line in gateway.yaml', async (t) => {
  const io = memoryIo()
  await runLint(['examples/f5-exchange-short-request-timeout/topology.yaml', '--format', 'json'], io)
  const gw = readFileSync(join(ROOT, 'examples/f5-exchange-short-request-timeout/gateway.yaml'), 'utf8')
  const line = lineOf(gw, 'easRequestTimeout')
  const doc = JSON.parse(io.out()) as { findings: unknown[] }
  t.match(doc.findings, [{ ruleId: 'GW0102', file: 'examples/f5-exchange-short-request-timeout/gateway.yaml', line, col: colOf(gw, line, '15m') }])
})

t.test('every example gateway config goes through the serve path with the same verdict', async (t) => {
  const verdicts: Record<string, string[]> = { 'f5-exchange': [], 'f5-exchange-short-request-timeout': ['GW0102'], 'keepalive-both-ways': [], 'f5-exchange-real-configs': [], 'nginx-config-drift': [] }
  for (const dir of dirs) {
    let text: string
    try { text = readFileSync(join(ROOT, 'examples', dir, 'gateway.yaml'), 'utf8') } catch { continue }
    t.same(lintGatewayConfig(loadGatewayConfig(text, 'gateway.yaml')).map((d) => d.code), verdicts[dir], dir)
  }
})
