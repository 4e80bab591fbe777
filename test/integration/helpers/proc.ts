/**
 * Process, port and polling utilities shared by the integration-test helpers.
 *
 * Everything here binds to / talks to 127.0.0.1 only, waits with bounded
 * deadlines (polling, never a fixed sleep as synchronisation), and registers
 * its cleanup with the test's `teardown`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants as fsConstants } from 'node:fs'
import { mkdtemp, rm, chmod } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** The part of a tap `Test` the helpers use (so any `t`, root or subtest, fits). */
export interface TapLike {
  teardown(fn: () => unknown): void;
  comment(...args: any[]): void;
  pass(...args: any[]): boolean;
  fail(...args: any[]): boolean;
}

/** The loopback address every helper binds to and connects to. */
export const LOOPBACK = '127.0.0.1'

/** Resolves after `ms` milliseconds (used only for poll back-off, never as synchronisation). */
export function delay (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Asks the kernel for a currently free TCP port on 127.0.0.1.
 * (Another process may grab it before it is used; the start helpers retry on bind errors.)
 */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))))
    })
  })
}

/** Options for {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 10 000). */
  timeoutMs?: number;
  /** First poll interval; doubles up to `maxIntervalMs` (default 20). */
  intervalMs?: number;
  /** Upper bound of the poll interval (default 250). */
  maxIntervalMs?: number;
  /** Checked before every poll: a string aborts the wait with that reason (e.g. "process exited"). */
  abortIf?: () => string | undefined;
}

/**
 * Polls `probe` until it returns something other than `undefined`/`false`, with
 * exponential back-off and a hard deadline. Rejects with a message naming `what`.
 */
export async function waitFor<T> (
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions = {}
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const deadline = Date.now() + timeoutMs
  let interval = opts.intervalMs ?? 20
  let lastError: unknown
  for (;;) {
    const abort = opts.abortIf?.()
    if (abort) throw new Error(`gave up waiting for ${what}: ${abort}`)
    try {
      const v = await probe()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await delay(Math.min(interval, Math.max(1, deadline - Date.now())))
    interval = Math.min(interval * 2, opts.maxIntervalMs ?? 250)
  }
}

/** Resolves true when a TCP connection to 127.0.0.1:`port` succeeds (within `timeoutMs`). */
export function canConnect (port: number, timeoutMs = 1000, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port })
    const done = (ok: boolean): void => {
      sock.destroy()
      resolve(ok)
    }
    sock.setTimeout(timeoutMs, () => done(false))
    sock.once('connect', () => done(true))
    sock.once('error', () => done(false))
  })
}

/** Minimal GET/HEAD used by readiness probes: resolves the status code, or rejects on network errors. */
export function httpStatus (url: string, timeoutMs = 2000, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, timeout: timeoutMs }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** Finds an executable by name on PATH plus the sbin/libexec places Debian uses. */
export function findExecutable (name: string, extraDirs: string[] = []): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
    ...extraDirs,
  ]
  for (const dir of dirs) {
    if (!dir) continue
    const p = join(dir, name)
    if (isExecutable(p)) return p
  }
  return undefined
}

function isExecutable (p: string): boolean {
  try {
    accessSync(p, fsConstants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Creates a fresh temp directory (mode 0755 so daemons that drop privileges,
 * like nginx workers, can traverse it) and removes it at teardown.
 */
export async function makeTempDir (t: TapLike, prefix = 'eas-it-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  await chmod(dir, 0o755)
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** How a {@link ManagedProcess} ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process started by {@link startProcess}. */
export interface ManagedProcess {
  /** Short name used in messages. */
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout+stderr captured so far (last 1 MiB), as text. */
  output(): string;
  /** Calls `fn` for every complete output line from now on (stdout and stderr). */
  onLine(fn: (line: string, stream: 'stdout' | 'stderr') => void): void;
  /** Set once the process has exited. */
  exitInfo(): ExitInfo | undefined;
  /** Resolves when the process exits. */
  readonly exited: Promise<ExitInfo>;
  /** TERM (or the configured signal) to the process group, then KILL after the grace period. Idempotent. */
  stop(): Promise<ExitInfo>;
}

/** Options for {@link startProcess}. */
export interface StartProcessOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** First signal on stop (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Milliseconds between the first signal and SIGKILL (default 5000). */
  stopGraceMs?: number;
}

const MAX_CAPTURE = 1 << 20

/**
 * Spawns a long-running process in its own process group (so its workers can
 * be signalled together), captures its output, and stops it at teardown.
 */
export function startProcess (t: TapLike, opts: StartProcessOptions): ManagedProcess {
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  if (child.pid === undefined) {
    // spawn failures (ENOENT...) also arrive as an 'error' event: swallow that one, throw here.
    child.once('error', () => {})
    throw new Error(`could not start ${opts.name} (${opts.command})`)
  }
  const pid = child.pid
  let captured = ''
  let info: ExitInfo | undefined
  const listeners: Array<(line: string, stream: 'stdout' | 'stderr') => void> = []
  const attach = (stream: NodeJS.ReadableStream, which: 'stdout' | 'stderr'): void => {
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      captured += chunk
      if (captured.length > MAX_CAPTURE) captured = captured.slice(-MAX_CAPTURE)
      partial += chunk
      let nl: number
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl).replace(/\r$/, '')
        partial = partial.slice(nl + 1)
        for (const fn of listeners) fn(line, which)
      }
    })
  }
  attach(child.stdout!, 'stdout')
  attach(child.stderr!, 'stderr')
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      info = { code, signal }
      resolve(info)
    })
    child.once('error', (err) => {
      captured += `\n[spawn error] ${err.message}\n`
      info ??= { code: null, signal: null }
      resolve(info)
    })
  })
  let stopping: Promise<ExitInfo> | undefined
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig)
    } catch {
      try {
        child.kill(sig)
      } catch {
        /* already gone */
      }
    }
  }
  const stop = (): Promise<ExitInfo> => {
    stopping ??= (async () => {
      if (!info) {
        signalGroup(opts.stopSignal ?? 'SIGTERM')
        // The grace timer is cleared as soon as the process exits: a pending timer would keep the
        // test process alive for the whole grace period after its last test.
        let graceTimer: NodeJS.Timeout | undefined
        const timer = new Promise<'timeout'>((resolve) => (graceTimer = setTimeout(() => resolve('timeout'), opts.stopGraceMs ?? 5000)))
        const first = await Promise.race([exited, timer])
        clearTimeout(graceTimer)
        if (first === 'timeout') signalGroup('SIGKILL')
      }
      const result = await exited
      // Leftover workers of the group (e.g. nginx workers if the master died hard).
      signalGroup('SIGKILL')
      return result
    })()
    return stopping
  }
  t.teardown(stop)
  return {
    name: opts.name,
    child,
    pid,
    output: () => captured,
    onLine: (fn) => { listeners.push(fn) },
    exitInfo: () => info,
    exited,
    stop,
  }
}

/** A reason string if `proc` has exited (for {@link WaitOptions.abortIf}). */
export function exitedReason (proc: ManagedProcess): string | undefined {
  const info = proc.exitInfo()
  if (!info) return undefined
  const tail = proc.output().trim().split('\n').slice(-15).join('\n')
  return `${proc.name} exited (code ${info.code}, signal ${info.signal})${tail ? `:\n${tail}` : ''}`
}

/** Result of {@link runCommand}. */
export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a short command to completion with optional stdin, bounded by `timeoutMs`
 * (default 30 s; the process is killed when it expires).
 */
export function runCommand (
  command: string,
  args: string[],
  opts: { input?: Buffer | string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env })
    const out: Buffer[] = []
    let err = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30_000} ms`))
    }, opts.timeoutMs ?? 30_000)
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (s: string) => (err += s))
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: Buffer.concat(out), stderr: err })
    })
    child.stdin.on('error', () => {
      /* the process may exit before reading everything; its exit code tells */
    })
    child.stdin.end(opts.input ?? '')
  })
}
