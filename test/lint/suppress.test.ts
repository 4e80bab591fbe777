import t from 'tap'
import { loadGatewayConfig } from '../../lib/config/index.js'
import { applySuppressions, findPragmas, lintGatewayConfig } from '../../lib/lint/index.js'
import type { Diagnostic } from '../../lib/config/index.js'

const finding = (line: number, code = 'GW0103', rule = 'hop-timeout-not-above-heartbeat'): Diagnostic =>
  ({ code, rule, severity: 'error', message: 'm', file: 'f.yaml', line, col: 1, path: [] })

t.test('a pragma on its own line covers the next key and its nested block', async (t) => {
  const text = 'hops:\n  # gateway-lint ignore=GW0103 reason: accepted\n  - name: a\n    kind: nginx\n    timeouts:\n      x: 1\n  - name: b\n    kind: nginx\n'
  const p = findPragmas(text)
  t.same([...p.lines.keys()], [3, 4, 5, 6], 'lines 3-6, not the next hop')
  const { kept, suppressed } = applySuppressions([finding(6), finding(7)], new Map([['f.yaml', text]]))
  t.same(suppressed.map((d) => d.line), [6])
  t.same(kept.map((d) => d.line), [7])
})

t.test('a trailing pragma covers its own line; names work like codes; comments and blanks are skipped', async (t) => {
  const text = 'a: 1 # gateway-lint ignore=hop-timeout-not-above-heartbeat\nb: 2\n# gateway-lint ignore=GW0107,GW0111\n\n# another comment\nc: 3\n'
  const p = findPragmas(text)
  t.same(p.lines.get(1), new Set(['hop-timeout-not-above-heartbeat']))
  t.equal(p.lines.get(2), undefined)
  t.same(p.lines.get(6), new Set(['GW0107', 'GW0111']))
  const { suppressed } = applySuppressions([finding(1), finding(6, 'GW0111', 'round-robin-balancing'), finding(6, 'GW0103')], new Map([['f.yaml', text]]))
  t.same(suppressed.map((d) => `${d.line}:${d.code}`), ['1:GW0103', '6:GW0111'])
})

t.test('global pragmas, --ignore and --disable-ignore-pragma', async (t) => {
  const text = '# gateway-lint global ignore=GW0103\na: 1\n'
  const texts = new Map([['f.yaml', text]])
  t.equal(applySuppressions([finding(2)], texts).suppressed.length, 1)
  t.equal(applySuppressions([finding(2)], texts, { disablePragmas: true }).suppressed.length, 0)
  t.equal(applySuppressions([finding(2, 'GW0107', 'x')], texts, { ignore: ['GW0107'], disablePragmas: true }).suppressed.length, 1)
  t.equal(applySuppressions([finding(2)], new Map()).kept.length, 1, 'a file without text suppresses nothing')
})

t.test('gateway serve honours the same pragmas, so lint and serve agree', async (t) => {
  const base = 'upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\ntimeouts:\n  easRequestTimeout: 15m\n'
  t.match(lintGatewayConfig(loadGatewayConfig(base, 'gw.yaml')), [{ code: 'GW0102', line: 3 }])
  const ignored = base.replace('  easRequestTimeout', '  # gateway-lint ignore=GW0102 reason: short heartbeat clamp upstream\n  easRequestTimeout')
  t.same(lintGatewayConfig(loadGatewayConfig(ignored, 'gw.yaml')), [])
})
