import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { cli, type CliIo } from '../../lib/cli/index.js'
import { createTlsMaterial } from '../helpers/tls-material.js'

/** In-memory stdout/stderr around real file reads (yaml tests/cli.ts style). */
function memoryIo (cwd: string): CliIo & { out: () => string, err: () => string, shutdown: () => void } {
  let out = ''
  let err = ''
  let handler: (() => void) | undefined
  return {
    stdout: (s) => { out += s },
    stderr: (s) => { err += s },
    readFile: async (p) => await readFile(p, 'utf8'),
    cwd,
    env: {},
    onShutdown: (h) => { handler = h },
    out: () => out,
    err: () => err,
    shutdown: () => { handler?.() }
  }
}

const VALID = `listen: { host: 127.0.0.1, port: 0 }
upstreams:
  - { name: up1, url: "http://127.0.0.1:9/" }
server: { minHeartbeat: 1s, maxHeartbeat: 2s }
timeouts: { easRequestTimeout: 4s, executionTimeout: 5s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 127.0.0.1, port: 0 } }
`

/**
 * `line:col` the finding must carry: the line holding `lineNeedle`, the column where `value`
 * starts on it (the offending value, or the key for unknown keys), plus `offset`.
 */
function positionRe (text: string, lineNeedle: string, value: string, offset = 0): string {
  const lines = text.split('\n')
  const i = lines.findIndex((l) => l.includes(lineNeedle))
  if (i < 0) throw new Error(`"${lineNeedle}" not in the config`)
  const col = (lines[i] ?? '').indexOf(value, (lines[i] ?? '').indexOf(lineNeedle))
  if (col < 0) throw new Error(`"${value}" not on line ${i + 1}`)
  return `${i + 1}:${col + 1 + offset}`
}

// [case, config text, rule code, line needle, value needle, column offset]
const CASES: [string, string, string, string, string, number?][] = [
  ['unknown key', VALID + 'bogus: 1\n', 'GW0002', 'bogus', 'bogus'],
  ['misspelt key', VALID.replace('drainGrace', 'draingrace'), 'GW0002', 'draingrace', 'draingrace'],
  ['wrong type', VALID.replace('port: 0 }\nupstreams', 'port: "eighty" }\nupstreams'), 'GW0003', '"eighty"', '"eighty"'],
  ['bad duration', VALID.replace('drainGrace: 1s', 'drainGrace: 1 fortnight'), 'GW0005', '1 fortnight', '1 fortnight'],
  ['bare number as a duration', VALID.replace('drainGrace: 1s', 'drainGrace: 30'), 'GW0005', 'drainGrace: 30', '30'],
  ['YAML syntax (a stray brace)', VALID.replace('drainGrace: 1s }', 'drainGrace: 1s }}'), 'GW0001', '1s }}', '}}', 1],
  ['YAML syntax (tab indentation)', VALID + 'log:\n\tlevel: info\n', 'GW0001', '\tlevel', '\t'],
  ['duplicate key', VALID + 'log: {}\nlog: { level: debug }\n', 'GW0001', 'log: { level: debug', 'log'],
  ['missing upstreams', VALID.replace(/upstreams:\n.*\n/, ''), 'GW0004', 'listen', 'listen'],
  ['executionTimeout <= easRequestTimeout', VALID.replace('executionTimeout: 5s', 'executionTimeout: 4s'), 'GW0101', 'executionTimeout: 4s', '4s'],
  ['admin beyond loopback without a credential', VALID.replace('admin: { listen: { host: 127.0.0.1', 'admin: { listen: { host: 0.0.0.0'), 'GW0006', 'host: 0.0.0.0', 'host'],
  ['easRequestTimeout <= maxHeartbeat + margin', VALID.replace('easRequestTimeout: 4s', 'easRequestTimeout: 3s').replace('executionTimeout: 5s', 'executionTimeout: 4s'), 'GW0102', 'easRequestTimeout: 3s', '3s']
]

/** No stack trace: no `    at fn (file:line:col)` frames, no error class banners. */
function noStack (t: { notMatch (found: unknown, pattern: RegExp, msg: string): boolean }, text: string): void {
  t.notMatch(text, /^\s+at .*[:(]\d+:\d+\)?$/m, 'no stack trace')
  t.notMatch(text, /\b(TypeError|RangeError|SyntaxError|Error):/, 'no raw error')
}

for (const command of ['check', 'serve'] as const) {
  t.test(`gateway ${command}: every config error exits 2 with file:line:col on stderr`, async (t) => {
    for (const [name, text, code, lineNeedle, value, offset] of CASES) {
      t.test(name, async (t) => {
        const dir = t.testdir({ 'gw.yaml': text })
        const io = memoryIo(dir)
        const exit = await cli([command, '-c', 'gw.yaml'], io)
        t.equal(exit, 2, 'exit code 2')
        const pos = positionRe(text, lineNeedle, value, offset)
        t.match(io.err(), new RegExp(`^gw\\.yaml:${pos} error ${code} `, 'm'), `stderr has gw.yaml:${pos} error ${code}`)
        noStack(t, io.err() + io.out())
        if (command === 'serve') t.match(io.err(), /GW_ERR_CONFIG_INVALID: .*configuration refused, not starting/)
      })
    }
  })

  t.test(`gateway ${command}: an unreadable config file exits 2, names the file, no stack`, async (t) => {
    const dir = t.testdir({ 'a-directory': {} })
    for (const file of ['missing.yaml', 'a-directory']) {
      const io = memoryIo(dir)
      t.equal(await cli([command, '-c', file], io), 2, `${file}: exit 2`)
      t.match(io.err(), new RegExp(`GW_ERR_CONFIG_UNREADABLE: cannot read ${file}: (ENOENT|EISDIR)`))
      noStack(t, io.err() + io.out())
    }
  })
}

t.test('gateway check: a valid config exits 0 and says OK', async (t) => {
  const dir = t.testdir({ 'gw.yaml': VALID })
  const io = memoryIo(dir)
  t.equal(await cli(['check', '-c', 'gw.yaml'], io), 0)
  t.match(io.err(), /gw\.yaml: OK/)
})

t.test('gateway serve: unreadable TLS or CA files exit 2 before binding anything', async (t) => {
  const dir = t.testdir({
    'tls.yaml': VALID.replace('port: 0 }', 'port: 0, tls: { cert: nope.crt, key: nope.key } }'),
    'ca.yaml': VALID.replace('url: "http://127.0.0.1:9/"', 'url: "https://127.0.0.1:9/", ca: nope-ca.pem')
  })
  // At file:line:col of the key that names the file, with the path it resolved to.
  const cases = [['tls.yaml', 'nope.key', 'key', 'listen\\.tls\\.key'], ['ca.yaml', 'nope-ca.pem', 'ca', 'upstreams\\[0\\]\\.ca']] as const
  for (const [file, missing, key, setting] of cases) {
    const io = memoryIo(dir)
    t.equal(await cli(['serve', '-c', file], io), 2, `${file}: exit 2`)
    const text = await readFile(join(dir, file), 'utf8')
    const pos = positionRe(text, `${key}: ${missing}`, `${key}: ${missing}`)
    const resolved = join(dir, missing).replace(/[.[\]\\]/g, '\\$&')
    t.match(io.err(), new RegExp(`^${file.replace('.', '\\.')}:${pos} error GW0010 unreadable-file: ${setting}: cannot read ${missing.replace('.', '\\.')} \\(resolved to ${resolved}\\): ENOENT$`, 'm'))
    t.match(io.err(), /GW_ERR_CONFIG_UNREADABLE: cannot read .*: ENOENT/)
    noStack(t, io.err())
  }
})

t.test('usage errors exit 2 with a message, never a stack', async (t) => {
  for (const argv of [['check'], ['check', '--bogus'], ['serve', '-c'], ['frobnicate'], []]) {
    const io = memoryIo(process.cwd())
    t.equal(await cli(argv, io), 2, `${JSON.stringify(argv)}: exit 2`)
    t.ok(io.err().length > 0, 'says why')
    noStack(t, io.err())
  }
})

t.test('gateway serve: a TLS certificate or key that is not PEM exits 2 with a message, no stack', async (t) => {
  const dir = t.testdir({
    'gw.yaml': VALID.replace('port: 0 }', 'port: 0, tls: { cert: server.crt, key: server.key } }'),
    'server.crt': 'not a certificate\n',
    'server.key': 'not a key\n'
  })
  const io = memoryIo(dir)
  const exit = await cli(['serve', '-c', 'gw.yaml'], io).catch((err: unknown) => err)
  t.equal(exit, 2, 'exit code 2')
  t.match(io.err(), /listen\.tls/, 'names the setting')
  noStack(t, io.err())
})

t.test('gateway check: refuses what serve refuses, unreadable TLS and CA files included', async (t) => {
  const dir = t.testdir({
    'tls.yaml': VALID.replace('port: 0 }', 'port: 0, tls: { cert: nope.crt, key: nope.key } }'),
    'ca.yaml': VALID.replace('url: "http://127.0.0.1:9/"', 'url: "https://127.0.0.1:9/", ca: nope-ca.pem')
  })
  for (const file of ['tls.yaml', 'ca.yaml']) {
    const io = memoryIo(dir)
    t.equal(await cli(['check', '-c', file], io), 2, `${file}: exit 2, as serve`)
    t.match(io.err(), /cannot read .*nope.*ENOENT/)
  }
})

t.test('gateway check: a usable TLS key/certificate pair passes, a mismatched pair is refused', async (t) => {
  const a = createTlsMaterial()
  const b = createTlsMaterial()
  if (typeof a === 'string' || typeof b === 'string') { t.pass('skipped: no openssl', { skip: typeof a === 'string' ? a : String(b) }); return }
  const yaml = VALID.replace('port: 0 }', 'port: 0, tls: { cert: server.crt, key: server.key } }')
  const good = t.testdir({ 'gw.yaml': yaml, 'server.crt': a.cert, 'server.key': a.key })
  const io = memoryIo(good)
  t.equal(await cli(['check', '-c', 'gw.yaml'], io), 0, 'matching pair: OK')
  const bad = t.testdir({ 'gw.yaml': yaml, 'server.crt': a.cert, 'server.key': b.key })
  const io2 = memoryIo(bad)
  t.equal(await cli(['check', '-c', 'gw.yaml'], io2), 2, 'key of another certificate: refused')
  t.match(io2.err(), /listen\.tls .* cannot be used/)
})
