import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'

// STYLE.md §2: which lib/ folder may import which. Rules stated only in prose drift, so this test
// scans every import specifier under lib/ and bin/.
const ALLOWED: Record<string, readonly string[]> = {
  bin: ['cli'],
  // lib/index.ts: the package's public API, re-exports only.
  root: ['cli', 'config', 'lint', 'proxy', 'metrics', 'log', 'upstream'],
  cli: ['config', 'lint', 'proxy', 'metrics', 'log', 'upstream', 'eas', 'demo', 'policy', 'probe', 'access', 'state'],
  proxy: ['eas', 'policy', 'upstream', 'metrics', 'log', 'config', 'state', 'access', 'collections'],
  // Device access control's I/O (Bearer keys, compliance lists, reload): around the pure lib/policy.
  access: ['policy', 'config', 'lint', 'eas', 'log', 'metrics'],
  lint: ['config', 'policy', 'eas'],
  upstream: ['metrics', 'log', 'config'],
  state: ['metrics', 'log', 'collections'],
  policy: ['eas', 'config', 'collections'],
  demo: ['eas'],
  probe: [],
  config: [],
  eas: [],
  // Data structures with no I/O and no gateway knowledge (the use-ordered map of the LRU tables).
  collections: [],
  metrics: [],
  log: []
}
const ROOT = new URL('..', import.meta.url).pathname

function files (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

function areaOf (file: string): string {
  const rel = relative(ROOT, file).split('/')
  return rel[0] === 'bin' ? 'bin' : /\.[jt]s$/.test(rel[1] ?? '') ? 'root' : rel[1] ?? 'root'
}

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

t.test('lib/ and bin/ respect the module boundaries', async (t) => {
  const all = [...files(join(ROOT, 'lib')), ...files(join(ROOT, 'bin'))]
  t.ok(all.length > 20, 'scanned the sources')
  const violations: string[] = []
  for (const file of all) {
    const from = areaOf(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? ''
      if (!spec.startsWith('.')) continue
      const target = areaOf(join(file, '..', spec))
      if (target === from || target === 'root') continue
      if (!(ALLOWED[from] ?? []).includes(target)) violations.push(`${relative(ROOT, file)} imports ${spec} (${from} -> ${target})`)
    }
  }
  t.same(violations, [], 'no import crosses a boundary')
})

t.test('nothing under lib/ reads process.env or argv, or exits', async (t) => {
  // Comment lines may name them (to say they are not read); code lines may not.
  const code = (f: string): string => readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n')
  const offenders = files(join(ROOT, 'lib')).filter((f) => /process\.(env|argv|exit)\b/.test(code(f)))
  t.same(offenders.map((f) => relative(ROOT, f)), [])
})

t.test('across folders, imports go through the folder index', async (t) => {
  const offenders: string[] = []
  for (const file of files(join(ROOT, 'lib'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? ''
      if (!spec.startsWith('..')) continue
      const target = areaOf(join(file, '..', spec))
      if (target !== areaOf(file) && target !== 'root' && !spec.endsWith('/index.js')) offenders.push(`${relative(ROOT, file)}: ${spec}`)
    }
  }
  t.same(offenders, [])
})
