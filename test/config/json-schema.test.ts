import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import t from 'tap'
import { parse } from 'yaml'
import {
  JSON_SCHEMA_SOURCES, loadCatalog, loadGatewayConfig, parseTopology, toJsonSchema
} from '../../lib/config/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SCHEMAS = join(ROOT, 'schemas')
const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/m

function yamlFiles (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'prometheus' ? [] : yamlFiles(p) // Prometheus rules: promtool checks them
    return /\.ya?ml$/.test(name) ? [p] : []
  })
}

function compile (name: string): ReturnType<Ajv2020['compile']> {
  const ajv = new Ajv2020({ allErrors: true, strict: true })
  addFormats.default(ajv)
  return ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, `${name}.schema.json`), 'utf8')) as object)
}

t.test('schemas/ holds exactly the generated schemas (one source: the loaders\' declarative schemas)', async (t) => {
  const names = Object.keys(JSON_SCHEMA_SOURCES)
  t.same(readdirSync(SCHEMAS).sort(), names.map((n) => `${n}.schema.json`).sort(), 'no stale or missing file (npm run schemas)')
  for (const [name, { schema, title }] of Object.entries(JSON_SCHEMA_SOURCES)) {
    const committed: unknown = JSON.parse(readFileSync(join(SCHEMAS, `${name}.schema.json`), 'utf8'))
    t.same(committed, toJsonSchema(name, schema, title), `schemas/${name}.schema.json is current (npm run schemas)`)
    t.doesNotThrow(() => compile(name), `${name}: a valid draft 2020-12 schema (ajv strict)`)
  }
})

// Every file of ours in examples/ and policies/ (gateway.yaml, topology.yaml, catalogs) must name its
// schema; any other YAML there or under deploy/ that names one (a vendor's envoy.yaml or a
// Kubernetes manifest does not) is validated too.
const OURS = /(^|\/)(gateway|topology|[\w-]*catalog[\w-]*)\.ya?ml$/
const files = [...yamlFiles(join(ROOT, 'examples')), ...yamlFiles(join(ROOT, 'policies')), ...yamlFiles(join(ROOT, 'deploy'))]
  .filter((f) => OURS.test(f) || MODELINE.test(readFileSync(f, 'utf8')))

t.test('every YAML file in examples/ and policies/ names its schema and validates against it', async (t) => {
  t.ok(files.length >= 13, `${files.length} files`)
  for (const file of files) {
    const rel = relative(ROOT, file)
    const text = readFileSync(file, 'utf8')
    const m = MODELINE.exec(text)
    if (m?.[1] === undefined) { t.fail(`${rel}: no "# yaml-language-server: $schema=" line`); continue }
    const target = resolve(dirname(file), m[1])
    const name = relative(SCHEMAS, target).replace(/\.schema\.json$/, '')
    t.ok(name in JSON_SCHEMA_SOURCES && dirname(target) === SCHEMAS.replace(/\/$/, ''), `${rel}: $schema points at schemas/${name}.schema.json`)
    const validate = compile(name)
    const ok = validate(parse(text))
    t.ok(ok, `${rel} is valid: ${JSON.stringify(validate.errors)}`)
  }
})

t.test('the JSON Schema and the loader agree on the shipped files', async (t) => {
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const kind = /\$schema=\S*\/([a-z-]+)\.schema\.json/.exec(text)?.[1]
    const diags = kind === 'gateway'
      ? loadGatewayConfig(text, file).diagnostics
      : kind === 'topology'
        ? parseTopology(text, file).diagnostics
        : kind === 'timeouts-catalog' ? loadCatalog(text, file).diagnostics : undefined
    t.same(diags, [], `${relative(ROOT, file)}: the loader accepts it too`)
  }
})

t.test('the schemas refuse what the loader refuses: typos, unit-less durations, wrong types, out of range', async (t) => {
  const gateway = compile('gateway')
  const topology = compile('topology')
  const base = { upstreams: [{ name: 'a', url: 'https://mail.example/' }] }
  t.ok(gateway(base), 'minimal config')
  t.ok(gateway({ ...base, timeouts: { easRequestTimeout: '1h1m', drainGrace: '30s' }, listen: { tls: null } }))
  const bad: [string, unknown][] = [
    ['misspelt key', { ...base, timeouts: { drainGrase: '30s' } }],
    ['unit-less duration', { ...base, timeouts: { easRequestTimeout: 3600 } }],
    ['bad unit', { ...base, timeouts: { easRequestTimeout: '1 hour' } }],
    ['port out of range', { ...base, listen: { port: 70000 } }],
    ['no upstreams', { listen: { port: 1 } }],
    ['empty upstreams', { upstreams: [] }],
    ['ftp upstream', { upstreams: [{ name: 'a', url: 'ftp://mail.example/' }] }],
    ['log level', { ...base, log: { level: 'loud' } }],
    ['tls without key', { ...base, listen: { tls: { cert: 'a.pem' } } }]
  ]
  for (const [what, doc] of bad) {
    t.notOk(gateway(doc), `gateway: ${what} is refused`)
    t.ok(loadGatewayConfig(JSON.stringify(doc), 'x.yaml').diagnostics.length > 0, `the loader refuses it as well (${what})`)
  }
  t.notOk(topology({ server: { kind: 'exchange' }, hops: [{ name: 'a', kind: 'nginx', balancing: 'random' }] }), 'topology: unknown balancing')
  t.notOk(topology({ server: { kind: 'exchange' } }), 'topology: hops required')
  t.notOk(gateway(null), 'an empty gateway.yaml is refused, as the loader does')
  t.match(loadGatewayConfig('', 'x.yaml').diagnostics, [{ code: 'GW0004', line: 1, col: 1, message: /the file is empty: missing required key "upstreams"/ }], 'and the loader says why')
})
