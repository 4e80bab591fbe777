import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ALL_RULES, RULES, STRUCTURAL_RULES } from '../../lib/lint/index.js'
import { ROOT } from './lint-helpers.js'

t.test('rule id equals its file name, and every rule file is in RULES once', async (t) => {
  const dir = join(ROOT, 'lib/lint/rules')
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3)).sort()
  t.same(RULES.map((r) => r.id).sort(), files)
  for (const f of files) {
    const mod = await import(join(dir, `${f}.ts`)) as { rule: { id: string } }
    t.equal(mod.rule.id, f, f)
  }
})

t.test('codes are stable-looking, unique, and in their ranges', async (t) => {
  t.equal(new Set(ALL_RULES.map((r) => r.code)).size, ALL_RULES.length)
  t.equal(new Set(ALL_RULES.map((r) => r.id)).size, ALL_RULES.length)
  for (const r of STRUCTURAL_RULES) t.match(r.code, /^GW00\d\d$/)
  for (const r of RULES) {
    t.match(r.code, /^GW0[1-4]\d\d$/, `${r.id}: a rule range (GW01 timeout chain, GW02 upstream pool, GW03 security, GW04 device access policy)`)
    t.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/)
    for (const id of Object.keys(r.hints ?? {})) t.ok(id in r.messages, `${r.id}: hint ${id} has a message`)
  }
  t.match(RULES.slice(0, 2).map((r) => [r.code, r.id]), [['GW0101', 'execution-timeout-not-above-request-timeout'], ['GW0102', 'request-timeout-not-above-max-heartbeat']])
})

t.test('the README section documents every structural and timeout-chain code with its name and level', async (t) => {
  const doc = readFileSync(join(ROOT, 'README.md'), 'utf8')
  // GW02xx (upstream pool) and GW03xx (security) are documented by their owners' README parts.
  for (const r of ALL_RULES.filter((r) => /^GW0[01]/.test(r.code))) {
    t.match(doc, new RegExp(`^#### ${r.code} ${r.id}$`, 'm'), `${r.code} heading`)
    t.match(doc, new RegExp(`^\\| ${r.code} \\| ${r.id} \\| ${r.severity} \\|`, 'm'), `${r.code} in the table`)
  }
})

// regression: #15 — help shown without a finding (SARIF rules, --explain, README) has no data to fill placeholders with
t.test('rule descriptions and fallback hints have no {placeholders}, nor do the README rule sections', async (t) => {
  for (const r of ALL_RULES) {
    t.notMatch(r.description, /\{\w+\}/, `${r.code} description`)
    t.notMatch(r.hint, /\{\w+\}/, `${r.code} hint`)
  }
  const doc = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = doc.indexOf('## gateway lint: the timeout-chain linter')
  const rules = doc.slice(start, doc.indexOf('\n## ', start + 1))
  t.ok(start > 0)
  t.notMatch(rules.replace(/```[\s\S]*?```/g, ''), /^Fix: .*\{\w+\}/m, 'no Fix line shows a raw placeholder')
})
