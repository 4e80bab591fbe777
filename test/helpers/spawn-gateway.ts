import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LogLine } from './log-sink.js'
import { adminGet } from './ping-device.js'
import type { Teardown } from './start-gateway.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The built bin the spawn tests run. */
export const BIN = join(ROOT, 'dist/bin/gateway.js')

/** Newest modification time of the .ts sources the build compiles. */
function newestSource (dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p))
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs)
  }
  return newest
}

const isFresh = (): boolean => existsSync(BIN) && statSync(BIN).mtimeMs >= Math.max(newestSource(join(ROOT, 'lib')), newestSource(join(ROOT, 'bin')))

/** Runs `npm run build` when dist/ is missing or older than the sources; a reason to skip if that fails. */
export async function ensureBuilt (): Promise<string | undefined> {
  if (isFresh()) return undefined
  const output: string[] = []
  const code = await new Promise<number | null>((resolve) => {
    const p = spawn('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    p.stdout.on('data', (c: Buffer) => output.push(c.toString()))
    p.stderr.on('data', (c: Buffer) => output.push(c.toString()))
    const timer = setTimeout(() => { p.kill('SIGKILL') }, 120_000)
    p.on('close', (c) => { clearTimeout(timer); resolve(c) })
  })
  // tsc emits even when it reports type errors; what matters is a current dist/bin/gateway.js.
  if (isFresh()) return undefined
  return `npm run build failed (exit ${code}), so dist/bin/gateway.js cannot be run: ${output.join('').slice(-600)}`
}

/** `n` ports free on 127.0.0.1 right now (bound to 0, then released), for a config whose log is not readable. */
export async function freePorts (n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, async () => {
    const s = createServer()
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    return s
  }))
  const ports = servers.map((s) => (s.address() as AddressInfo).port)
  await Promise.all(servers.map(async (s) => { await new Promise<void>((resolve) => s.close(() => { resolve() })) }))
  return ports
}

/** How a spawned gateway ended. */
export interface Exit { readonly code: number | null, readonly signal: NodeJS.Signals | null }

/** `node dist/bin/gateway.js serve -c FILE` running as a child process. */
export interface SpawnedGateway {
  readonly child: ChildProcess
  /** stdout parsed as JSON lines (only when stdout is 'pipe' and read). */
  readonly lines: LogLine[]
  stderr (): string
  /** Resolves with the first stdout line matching `pred`; rejects after `ms` or when the process exits. */
  waitLine (pred: (l: LogLine) => boolean, what: string, ms?: number): Promise<LogLine>
  /** Resolves once stderr matches `re`; rejects after `ms` or when the process exits. */
  waitStderr (re: RegExp, ms?: number): Promise<void>
  /** Sends `signal` and resolves with the exit and the milliseconds it took; SIGKILL after `ms`. */
  stop (signal: NodeJS.Signals, ms?: number): Promise<Exit & { readonly ms: number, readonly killed: boolean }>
}

/**
 * Spawns the built gateway with `-c config` in `cwd`. `stdout`: a file descriptor to hand the child
 * (/dev/full, a file on a tmpfs), 'pipe' to read its JSON lines, or 'stalled' for a pipe nobody
 * reads. `workers`: `--workers` (default 1: one process; 'from-config': no flag). Teardown kills it (SIGKILL) if it is still running.
 */
export function spawnGateway (t: Teardown, opts: { cwd: string, config?: string, stdout: number | 'pipe' | 'stalled', workers?: number | 'from-config' }): SpawnedGateway {
  // One process unless a test is about the process group: the tests here are about one gateway.
  const child = spawn(process.execPath, [BIN, 'serve', '-c', opts.config ?? 'gw.yaml', ...(opts.workers === 'from-config' ? [] : ['--workers', String(opts.workers ?? 1)])], {
    cwd: opts.cwd, stdio: ['ignore', typeof opts.stdout === 'number' ? opts.stdout : 'pipe', 'pipe']
  })
  const events = new EventEmitter()
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => { resolve({ code, signal }); events.emit('change') }))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  const lines: LogLine[] = []
  let partial = ''
  let stderr = ''
  if (opts.stdout === 'pipe') {
    child.stdout?.on('data', (c: Buffer) => {
      const parts = (partial + c.toString()).split('\n')
      partial = parts.pop() ?? ''
      for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as LogLine)
      events.emit('change')
    })
  }
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); events.emit('change') })
  const alive = (): boolean => child.exitCode === null && child.signalCode === null
  const waitFor = async <T>(check: () => T | undefined, what: string, ms: number): Promise<T> => {
    const now = check()
    if (now !== undefined) return now
    if (!alive()) throw new Error(`gateway exited (${child.exitCode ?? child.signalCode}) before ${what}; stderr: ${stderr.slice(-2000)}`)
    return await new Promise<T>((resolve, reject) => {
      const onChange = (): void => {
        const hit = check()
        if (hit !== undefined) { done(); resolve(hit); return }
        if (!alive()) { done(); reject(new Error(`gateway exited (${child.exitCode ?? child.signalCode}) before ${what}; stderr: ${stderr.slice(-2000)}`)) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`no ${what} within ${ms} ms; stderr: ${stderr.slice(-2000)}`)) }, ms)
      const done = (): void => { clearTimeout(timer); events.off('change', onChange) }
      events.on('change', onChange)
    })
  }
  return {
    child,
    lines,
    stderr: () => stderr,
    waitLine: async (pred, what, ms = 30_000) => await waitFor(() => lines.find(pred), `a "${what}" log line`, ms),
    waitStderr: async (re, ms = 30_000) => { await waitFor(() => re.test(stderr) ? true : undefined, `stderr matching ${re}`, ms) },
    async stop (signal, ms = 10_000) {
      const t0 = performance.now()
      child.kill(signal)
      let killed = false
      const timer = setTimeout(() => { killed = true; child.kill('SIGKILL') }, ms)
      const exit = await exited
      clearTimeout(timer)
      return { ...exit, ms: performance.now() - t0, killed }
    }
  }
}

/** Resolves once the admin listener answers /healthz (a process whose log goes nowhere has no line to wait for). */
export async function waitHealthy (adminPort: number, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms
  for (;;) {
    try { if ((await adminGet(adminPort, '/healthz')).status === 200) return } catch { /* not listening yet */ }
    if (performance.now() > deadline) throw new Error(`admin /healthz on ${adminPort} did not answer within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
