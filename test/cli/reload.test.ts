import { EventEmitter } from 'node:events'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { changedSettings } from '../../lib/cli/reload-config.js'
import { cli, type CliIo } from '../../lib/cli/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import type { LogLine } from '../helpers/log-sink.js'
import { startUpstream } from '../helpers/loopback-upstream.js'

/** The test object tap hands a subtest. */
type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

const config = (upstreamUrl: string, extra = ''): string => `listen: { host: 127.0.0.1, port: 0 }
upstreams:
  - { name: up1, url: "${upstreamUrl}" }
server: { minHeartbeat: 1s, maxHeartbeat: 2s }
timeouts: { easRequestTimeout: 4s, executionTimeout: 5s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 127.0.0.1, port: 0 } }
pool: { healthCheck: { interval: 10m } }
${extra}`

/**
 * `gateway serve` in-process: stderr in memory, log lines parsed from the injected log writer, and
 * the reload and shutdown handlers the bin would bind to SIGHUP and SIGTERM.
 */
async function serveInProcess (t: Tap, text: string) {
  const dir = t.testdir({ 'gw.yaml': text })
  let err = ''
  const lines: LogLine[] = []
  const events = new EventEmitter()
  let reload: (() => Promise<void>) | undefined
  let shutdown: (() => void) | undefined
  const io: CliIo = {
    stdout: () => {},
    stderr: (s) => { err += s },
    readFile: async (p) => await readFile(p, 'utf8'),
    cwd: dir,
    env: {},
    onShutdown: (h) => { shutdown = h },
    onReload: (h) => { reload = h },
    logWrite: (data, done) => {
      for (const l of data.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as LogLine)
      events.emit('line')
      done(null, data.length)
    }
  }
  const exit = cli(['serve', '-c', 'gw.yaml'], io)
  // Generous: under a full suite on 2 loaded cores, loading serve (compiled on the fly) took > 5 s.
  const waitLine = async (pred: (l: LogLine) => boolean, what: string, ms = 15_000): Promise<LogLine> => await new Promise((resolve, reject) => {
    const check = (): boolean => {
      const hit = lines.find(pred)
      if (hit === undefined) return false
      clearTimeout(timer); events.off('line', check); resolve(hit); return true
    }
    const timer = setTimeout(() => { events.off('line', check); reject(new Error(`no ${what} line; lines: ${JSON.stringify(lines)}; stderr: ${err}`)) }, ms)
    if (!check()) events.on('line', check)
  })
  const listening = await waitLine((l) => l.msg === 'listening', 'listening', 60_000)
  t.teardown(async () => { shutdown?.(); await exit })
  t.ok(reload, 'serve registered a reload handler')
  return {
    port: listening.port as number,
    dir,
    lines,
    err: () => err,
    waitLine,
    rewrite: async (s: string) => { await writeFile(join(dir, 'gw.yaml'), s) },
    reload: async () => { await reload?.() },
    stop: async () => { shutdown?.(); return await exit }
  }
}

const options = async (port: number): Promise<number> => {
  const dev = await DeviceConnection.open(port)
  try { return (await dev.request(easRequest('', { method: 'OPTIONS' }), 5000)).status } finally { dev.destroy() }
}
const notFound = async (port: number): Promise<number> => {
  const dev = await DeviceConnection.open(port)
  try { return (await dev.request({ method: 'GET', path: '/nope' }, 5000)).status } finally { dev.destroy() }
}

t.test('reload (SIGHUP): log level, refusals, restart-only settings; the gateway keeps serving', async (t) => {
  // regression: #9 (SIGHUP killed the gateway; nothing was reloadable)
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await serveInProcess(t, config(up.url, 'log: { level: info }\n'))

  t.test('the log level changes at once, and the reload says what it did', async (t) => {
    t.equal(await notFound(gw.port), 404)
    await gw.rewrite(config(up.url, 'log: { level: debug }\n'))
    await gw.reload()
    t.match(await gw.waitLine((l) => l.msg === 'reloaded', 'reloaded'), { level: 'info', file: 'gw.yaml', tls: 'unchanged', logLevel: 'info -> debug', restartNeeded: [] })
    t.equal(await notFound(gw.port), 404)
    const debug = await gw.waitLine((l) => l.msg === 'refused' && l.level === 'debug', 'debug "refused"')
    t.equal(debug.level, 'debug', 'a debug line once the level is debug')
    t.equal(gw.lines.filter((l) => l.msg === 'refused' && l.level === 'debug').length, 1, 'and none from the 404 before the reload')
  })

  t.test('an invalid config is refused with file:line:col findings; the running one stays', async (t) => {
    const before = gw.lines.length
    const bad = config(up.url, 'log: { level: warn }\n').replace('drainGrace: 1s', 'drainGrace: 1 fortnight')
    const lines = bad.split('\n')
    const row = lines.findIndex((l) => l.includes('1 fortnight'))
    const pos = `${row + 1}:${(lines[row] ?? '').indexOf('1 fortnight') + 1}`
    await gw.rewrite(bad)
    await gw.reload()
    t.match(gw.err(), new RegExp(`^gw\\.yaml:${pos} error GW0005 `, 'm'), `gw.yaml:${pos} error GW0005 on stderr, as at start-up`)
    t.match(gw.err(), /GW_ERR_CONFIG_INVALID: gw\.yaml: reload refused, keeping the running configuration/)
    const refused = await gw.waitLine((l) => l.msg === 'reload refused: keeping the running configuration', 'reload refused')
    t.match(refused, { level: 'error', code: 'GW_ERR_CONFIG_INVALID', findings: [new RegExp(`^gw\\.yaml:${pos} error GW0005 `)] })
    t.equal(await options(gw.port), 200, 'still serving')
    t.equal(await notFound(gw.port), 404)
    await gw.waitLine((l) => gw.lines.indexOf(l) >= before && l.msg === 'refused' && l.level === 'debug', 'a debug line after the refusal')
    t.pass('still at level debug: the refused config\'s "warn" was not applied')
  })

  t.test('an unreadable config is refused the same way', async (t) => {
    await rename(join(gw.dir, 'gw.yaml'), join(gw.dir, 'moved.yaml'))
    await gw.reload()
    await rename(join(gw.dir, 'moved.yaml'), join(gw.dir, 'gw.yaml'))
    t.match(gw.err(), /GW_ERR_CONFIG_UNREADABLE: cannot read gw\.yaml: ENOENT/)
    t.match(await gw.waitLine((l) => l.msg === 'reload refused: keeping the running configuration' && l.code === 'GW_ERR_CONFIG_UNREADABLE', 'refused, unreadable'),
      { level: 'error', reason: 'ENOENT' })
    t.equal(await options(gw.port), 200, 'still serving')
  })

  t.test('settings that need a restart are named in a warning, the rest applied', async (t) => {
    await gw.rewrite(config(up.url, 'log: { level: info }\n').replace('drainGrace: 1s', 'drainGrace: 3s').replace('port: 0 }\nupstreams', 'port: 1 }\nupstreams'))
    await gw.reload()
    const warn = await gw.waitLine((l) => l.msg === 'reload: these settings changed but take effect only after a restart', 'restart warning')
    t.match(warn, { level: 'warn', restartNeeded: ['listen.port', 'timeouts.drainGrace'] })
    const reloaded = gw.lines.filter((l) => l.msg === 'reloaded')
    t.match(reloaded[reloaded.length - 1], { level: 'info', logLevel: 'debug -> info', restartNeeded: ['listen.port', 'timeouts.drainGrace'] }, 'the reload line says so too')
    t.equal(await options(gw.port), 200, 'still serving on the old port')
  })

  t.test('quietening the log (info -> warn) still logs the reload', async (t) => {
    await gw.rewrite(config(up.url, 'log: { level: warn }\n'))
    await gw.reload()
    t.match(await gw.waitLine((l) => l.msg === 'reloaded' && l.logLevel === 'info -> warn', 'reloaded to warn'), { level: 'info', restartNeeded: [] })
  })

  t.test('serve still exits 0', async (t) => {
    t.equal(await gw.stop(), 0)
  })
})

t.test('changedSettings names the dotted paths that differ', async (t) => {
  t.same(changedSettings({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] } }), ['b.c[1]'])
  t.same(changedSettings({ listen: { port: 1 } }, { listen: { port: 1, tls: { cert: 'x', key: 'y' } } }), ['listen.tls'])
  t.same(changedSettings({ a: 1 }, { a: 1 }), [])
})
