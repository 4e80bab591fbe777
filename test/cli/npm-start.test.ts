import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { cleanCopy } from '../helpers/clean-copy.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port. */
async function listening (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => { resolve(false) })
  })
}

// `npm start` builds, then runs the demo. Stopping npm (as a process manager or `kill` does: one
// SIGTERM to npm alone, not to its process group) must stop the gateway it started.
t.test('npm start -- --port 0 --admin-port 0: ports configurable; SIGTERM to npm stops the gateway', { timeout: 240_000 }, async (t) => {
  // In a clean copy: `npm start` builds, and must not rewrite the dist/ other tests run.
  const root = t.testdir({})
  cleanCopy(ROOT, root)
  // Its own process group, so the teardown can stop whatever is left (a gateway npm orphaned).
  // --ignore-scripts skips only prestart (ensure-installed: an `npm ci` there would swap
  // node_modules under the tests running beside this one); the start script itself runs.
  const npm = spawn('npm', ['start', '--silent', '--ignore-scripts', '--', '--port', '0', '--admin-port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => { resolve(code) }))
  t.teardown(() => {
    try { if (npm.pid !== undefined) process.kill(-npm.pid, 'SIGKILL') } catch { /* the group is already gone */ }
  })
  let stderr = ''
  const ports = await new Promise<{ port: number, admin: number }>((resolve, reject) => {
    npm.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
      const m = /device listener {2}http:\/\/127\.0\.0\.1:(\d+)\/[\s\S]*admin listener {3}http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)
      if (m !== null) resolve({ port: Number(m[1]), admin: Number(m[2]) })
    })
    void exited.then((code) => { reject(new Error(`npm start exited ${code} before the banner: ${stderr.slice(-800)}`)) })
  })
  t.not(ports.port, 8080, 'the device port came from --port 0')
  t.not(ports.admin, 9464, 'the admin port came from --admin-port 0')
  t.ok(await listening(ports.port), 'the gateway listens')
  npm.kill('SIGTERM')
  const code = await Promise.race([exited, new Promise<'still running'>((resolve) => { setTimeout(() => { resolve('still running') }, 30_000).unref() })])
  t.equal(code, 0, 'npm start exits 0 after the gateway drained (demo drainGrace 5s)')
  t.notOk(await listening(ports.port), 'nothing listens on the device port any more')
  t.notOk(await listening(ports.admin), 'nor on the admin port')
})
