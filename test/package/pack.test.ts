import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'
import { cleanCopy } from '../helpers/clean-copy.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string, dependencies: Record<string, string> }

function run (cmd: string, args: string[], cwd: string): { status: number | null, out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000 })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

function jsFiles (dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : []
  })
}

// `npm pack` as a publish does it, from a clean copy of the tracked files (no dist/: the prepack
// script builds it there, never touching this checkout's dist/ that other tests run), unpacked
// where Node resolves its dependencies from this checkout's node_modules (offline).
t.test('npm pack ships a working package: dist built by prepack, import(\'eas-gateway\'), the bin, LICENSE, schemas', { timeout: 240_000 }, async (t) => {
  const dir = t.testdir({})
  const clone = join(dir, 'clone')
  t.ok(cleanCopy(ROOT, clone) > 100, 'tracked files copied')
  t.notOk(existsSync(join(clone, 'dist')), 'a clean copy has no dist/')
  const packed = run('npm', ['pack', '--silent', '--pack-destination', dir], clone)
  t.equal(packed.status, 0, `npm pack: ${packed.out.slice(-500)}`)
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))
  if (tgz === undefined) { t.fail('no tarball'); return }
  // Under the copy, so `pino`, `undici`, ... resolve through its node_modules link.
  const unpacked = join(clone, 'unpacked')
  const modules = join(unpacked, 'node_modules', 'eas-gateway')
  mkdirSync(modules, { recursive: true })
  t.equal(run('tar', ['xzf', join(dir, tgz), '-C', modules, '--strip-components=1'], dir).status, 0, 'unpacks')
  const files = readdirSync(modules)
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist', 'schemas', 'policies', 'examples', 'deploy']) t.ok(files.includes(f), `ships ${f}`)
  t.notOk(files.includes('test') || files.includes('lib') || files.includes('bench'), 'no tests or TypeScript sources')
  t.match(readFileSync(join(modules, 'LICENSE'), 'utf8'), /^MIT License/)

  const api = await import(pathToFileURL(join(modules, 'dist', 'lib', 'index.js')).href) as Record<string, unknown>
  t.type(api.createGateway, 'function', 'the exports entry exists and loads')
  t.type(api.lintTopology, 'function')
  const viaName = run('node', ['--input-type=module', '-e', 'const m = await import("eas-gateway"); console.log(typeof m.cli, m.packageVersion())'], unpacked)
  t.equal(viaName.out.trim(), `function ${pkg.version}`, 'import(\'eas-gateway\') by name, and the version from the shipped package.json')
  const bin = join(modules, 'dist', 'bin', 'gateway.js')
  t.equal(run('node', [bin, '--version'], dir).out.trim(), pkg.version, 'gateway --version')
  const lint = run('node', [bin, 'lint', join(modules, 'examples', 'f5-exchange', 'topology.yaml')], dir)
  t.equal(lint.status, 0, `gateway lint on a shipped example finds the shipped catalog: ${lint.out.slice(-300)}`)

  // Runtime imports: node builtins and package.json dependencies only (devDependencies are not installed for users).
  const bare = new Set<string>()
  for (const f of jsFiles(join(modules, 'dist'))) {
    const code = readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n')
    for (const m of code.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? ''
      if (!spec.startsWith('.')) bare.add(spec)
    }
  }
  t.ok(bare.has('pino') && bare.has('undici'), 'the scan sees the runtime imports')
  const root = (s: string): string => s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0] ?? s
  const undeclared = [...bare].filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && !(root(s) in pkg.dependencies))
  t.same(undeclared, [], 'every runtime import is a dependency')
})
