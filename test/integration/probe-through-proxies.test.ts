/**
 * `gateway probe` through real nginx and HAProxy on 127.0.0.1 (#15): the probe server behind a
 * proxy with a known short timeout, the probe in front. The timeout found must be within 5 % of
 * the configured one, `--topology` must agree with what `gateway lint` reads from the same
 * nginx.conf, and the printed hop must lint to the same bound. Short timeouts (2 s, 3 s) keep
 * the test near 20 s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { runProbe } from '../../lib/cli/probe.js'
import { createProbeServer, probePath } from '../../lib/probe/index.js'
import { memoryIo } from '../lint/lint-helpers.js'
import { lintText } from '../lint/lint-helpers.js'
import { requirePeer, startHaproxy, startNginx } from './helpers/index.js'

const WITHIN = 0.05

t.test('through nginx: proxy_read_timeout 2s is found within 5 %, cut by a 504', async (t) => {
  if (!await requirePeer(t, 'nginx')) return
  const server = await createProbeServer()
  t.teardown(server.close)
  const nginx = await startNginx(t, { upstream: server.url, readTimeoutSec: 2 })
  const r = await probePath({ url: `${nginx.url}/Microsoft-Server-ActiveSync`, minMs: 500, maxMs: 6000, parallel: 4, maxProbes: 16 })
  t.ok(r.timeoutMs !== undefined && Math.abs(r.timeoutMs - 2000) <= 2000 * WITHIN, `found ${r.timeoutMs ?? 'nothing'} ms (configured 2000)`)
  t.match(r.cut, { end: 'status', status: 504 })
  t.ok(r.bracket.answeredMs < 2000 && (r.bracket.cutMs ?? Infinity) >= 2000, `answered ${r.bracket.answeredMs}, cut ${r.bracket.cutMs ?? '-'}`)
  t.comment(`nginx proxy_read_timeout 2s: measured ${r.timeoutMs ?? '-'} ms with ${r.probes.length} probes`)

  // The CLI: compare with the topology that reads this very nginx.conf, and print the hop.
  const dir = await mkdtemp(join(tmpdir(), 'eas-probe-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const topo = join(dir, 'topology.yaml')
  await writeFile(topo, `margin: 1s\nserver: { kind: other, maxHeartbeat: 1s }\nhops:\n  - name: edge\n    kind: nginx\n    config: ${nginx.configFile}\n`)
  const io = memoryIo()
  const code = await runProbe([`${nginx.url}/Microsoft-Server-ActiveSync`, '--min', '500ms', '--max', '6s', '--topology', topo, '--hop-name', 'edge-measured'], io)
  t.equal(code, 0, io.err())
  t.match(io.out(), /^idle timeout: 2\.\d{3}s \(silent requests of [\d.]+s answered, of [\d.]+s cut: answered 504 by a proxy\)$/m)
  t.match(io.out(), new RegExp(`^topology: the path should cut at 2\\.000s \\(hop "edge" proxy_read_timeout, ${nginx.configFile.replace(/[.]/g, '\\.')}:\\d+:\\d+\\): agrees \\(within 5 %\\)$`, 'm'))
  const snippet = io.out().split('as a topology hop:\n')[1] ?? ''
  const hop = (parse(snippet) as [{ name: string, kind: string, timeouts: Record<string, string> }])[0]
  t.same(hop, { name: 'edge-measured', kind: 'other-l7', timeouts: { 'idle-timeout': '2s' } })
  const linted = await lintText(`margin: 1s\nserver: { kind: other, maxHeartbeat: 1s }\nhops:\n${snippet}`)
  t.equal(linted.chain?.safe?.timer.setting.value, 2000, 'the printed hop lints with the measured bound')
})

t.test('through HAProxy: timeout server 3s is found within 5 %', async (t) => {
  if (!await requirePeer(t, 'haproxy')) return
  const server = await createProbeServer()
  t.teardown(server.close)
  const haproxy = await startHaproxy(t, { upstream: server.url, timeouts: { server: '3s', client: '60s' } })
  const r = await probePath({ url: `${haproxy.url}/Microsoft-Server-ActiveSync`, minMs: 500, maxMs: 6000, parallel: 4, maxProbes: 16 })
  t.ok(r.timeoutMs !== undefined && Math.abs(r.timeoutMs - 3000) <= 3000 * WITHIN, `found ${r.timeoutMs ?? 'nothing'} ms (configured 3000)`)
  t.match(r.cut, { end: 'status', status: 504 })
  t.comment(`haproxy timeout server 3s: measured ${r.timeoutMs ?? '-'} ms with ${r.probes.length} probes`)
  const io = memoryIo()
  const dir = await mkdtemp(join(tmpdir(), 'eas-probe-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const topo = join(dir, 'topology.yaml')
  // A stale topology that says 10s: the measurement disagrees, exit 1.
  await writeFile(topo, 'margin: 1s\nserver: { kind: other, maxHeartbeat: 1s }\nhops:\n  - name: hp\n    kind: haproxy\n    timeouts: { timeout server: 10s, timeout client: 60s }\n')
  t.equal(await runProbe([`${haproxy.url}/Microsoft-Server-ActiveSync`, '--min', '500ms', '--max', '6s', '--topology', topo], io), 1)
  t.match(io.out(), /^topology: the path should cut at 10\.000s \(hop "hp" timeout server, .*\): DISAGREES/m)
})
