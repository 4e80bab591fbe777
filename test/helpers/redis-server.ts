import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import type { Teardown } from './start-gateway.js'

/** Why Redis tests cannot run here (redis-server missing), or undefined when they can. */
export function redisMissing (): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? undefined : 'redis-server is not installed: apt-get install redis-server (scripts/peers-install.sh installs it for .ci/run)'
}

/** A redis-server of this test on 127.0.0.1: no persistence, stopped at teardown. */
export interface TestRedis {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Kills the server (SIGKILL: a crash, not a shutdown); resolves once it has exited. */
  kill (): Promise<void>
  /** Starts it again on the same port (empty: nothing persisted). */
  start (): Promise<void>
  /** Sends a signal to the server (SIGSTOP freezes it: connected but silent). */
  signal (sig: NodeJS.Signals): void
}

async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

/** Starts redis-server on a free loopback port; resolves once it accepts connections. */
export async function startRedis (t: Teardown): Promise<TestRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice', '--always-show-logo', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = c
    let out = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`redis-server did not start within 10 s: ${out}`)) }, 10_000)
      const onData = (b: Buffer): void => {
        out += b.toString()
        if (out.includes('Ready to accept connections')) { clearTimeout(timer); resolve() }
      }
      c.stdout?.on('data', onData)
      c.stderr?.on('data', onData)
      c.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${String(code)}): ${out}`)) })
    })
    c.stdout?.resume()
    c.stderr?.resume()
  }
  const kill = async (): Promise<void> => {
    const c = child
    child = undefined
    if (c === undefined || c.exitCode !== null) return
    await new Promise<void>((resolve) => { c.once('exit', () => { resolve() }); c.kill('SIGKILL') })
  }
  await start()
  t.teardown(kill)
  return { port, url: `redis://127.0.0.1:${port}`, kill, start, signal (sig) { child?.kill(sig) } }
}
