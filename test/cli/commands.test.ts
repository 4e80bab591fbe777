import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { cli, type CliIo } from '../../lib/cli/index.js'

function memoryIo (cwd = process.cwd()): CliIo & { out: () => string, err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: (s) => { out += s },
    stderr: (s) => { err += s },
    readFile: async (p) => await readFile(p, 'utf8'),
    cwd,
    env: {},
    out: () => out,
    err: () => err
  }
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

t.test('gateway --version, -V and version print the package version on stdout, exit 0', async (t) => {
  for (const arg of ['--version', '-V', 'version']) {
    const io = memoryIo()
    t.equal(await cli([arg], io), 0, arg)
    t.equal(io.out(), `${pkg.version}\n`)
    t.equal(io.err(), '')
  }
})

t.test('help for every command: gateway help X and gateway X --help print the same usage', async (t) => {
  for (const command of ['serve', 'check', 'lint', 'healthcheck']) {
    const a = memoryIo()
    const b = memoryIo()
    t.equal(await cli([command, '--help'], a), 0, `${command} --help exits 0`)
    t.equal(await cli(['help', command], b), 0, `help ${command} exits 0`)
    t.match(a.out(), new RegExp(`^usage: gateway ${command}`))
    t.equal(b.out(), a.out())
  }
  const io = memoryIo()
  t.equal(await cli(['help'], io), 0)
  t.match(io.out(), /--version/)
  const bad = memoryIo()
  t.equal(await cli(['help', 'frobnicate'], bad), 2)
  t.match(bad.err(), /GW_ERR_CLI_USAGE: no help for "frobnicate"/)
})

t.test('serve --port/--admin-port: validated, demo only', async (t) => {
  for (const [argv, why] of [
    [['serve', '--port', 'http'], /--port must be a port number from 0 to 65535, got "http"/],
    [['serve', '--admin-port', '70000'], /--admin-port must be a port number/],
    [['serve', '-c', 'gw.yaml', '--port', '1'], /set listen\.port and admin\.listen\.port in the file/]
  ] as const) {
    const io = memoryIo()
    t.equal(await cli([...argv], io), 2, argv.join(' '))
    t.match(io.err(), why)
  }
})

const BASE = `upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]
server: { maxHeartbeat: 3540s }
timeouts: { easRequestTimeout: 3600, executionTimeout: 62m }
`

t.test('a unit-less duration gets a hint with a value that passes every check', async (t) => {
  const dir = t.testdir({ 'gw.yaml': BASE, 'ok.yaml': BASE.replace('3600', '61m') })
  const io = memoryIo(dir)
  t.equal(await cli(['check', '-c', 'gw.yaml'], io), 2)
  t.match(io.err(), /^gw\.yaml:3:32 error GW0005 invalid-duration: timeouts\.easRequestTimeout: 3600 has no unit$/m, 'no generic "write e.g. 3600s" beside the checked hint')
  t.match(io.err(), /hint: write 61m: read as seconds, 3600s is refused \(GW0102: easRequestTimeout \(1h\) must be longer than/)
  // The suggested value really passes.
  const ok = memoryIo(dir)
  t.equal(await cli(['check', '-c', 'ok.yaml'], ok), 0, ok.err())
  // When seconds pass, the hint says so.
  const plain = t.testdir({ 'gw.yaml': BASE.replace('3600', '61m').replace('executionTimeout: 62m', 'executionTimeout: 62m, drainGrace: 30') })
  const io2 = memoryIo(plain)
  t.equal(await cli(['check', '-c', 'gw.yaml'], io2), 2)
  t.match(io2.err(), /hint: write 30s if 30 means seconds/)
  // Two unit-less values: each hint is computed with the other read as seconds.
  const two = t.testdir({ 'gw.yaml': BASE.replace('executionTimeout: 62m', 'executionTimeout: 3720') })
  const io3 = memoryIo(two)
  t.equal(await cli(['check', '-c', 'gw.yaml'], io3), 2)
  t.match(io3.err(), /easRequestTimeout: 3600 has no unit[^\n]*\n {2}hint: write 61m/)
  t.match(io3.err(), /executionTimeout: 3720 has no unit[^\n]*\n {2}hint: write 3720s if/)
})
