/**
 * `startGateway`: run the real gateway (`node dist/bin/gateway.js serve -c <config.yaml>`)
 * as a child process for an integration test.
 *
 * Contract with the gateway (see README § Integration tier): it reads the
 * YAML config, binds `listen` and `admin.listen` (port 0 = any free port) and
 * logs a JSON line (pino style) with `"msg":"listening"` carrying the bound
 * ports. Because that line may sit in the logger's buffer for a while, the
 * helper by default writes concrete free ports into the YAML and also accepts
 * "both ports accept connections" as readiness. Shapes of the line understood:
 *   {"msg":"listening","port":41234,"adminPort":41235,...}   (what the gateway logs today)
 *   {"msg":"listening","listen":{"host":"127.0.0.1","port":41234},"admin":{"port":41235}}
 * and `ports:{listen|main|proxy|http, admin}`, `url`/`adminUrl`, or one "listening" line per listener tagged with
 * `name|kind|server|role|component: "admin"`.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import {
  LOOPBACK,
  canConnect,
  exitedReason,
  freePort,
  makeTempDir,
  startProcess,
  waitFor,
  type ManagedProcess,
  type TapLike,
} from './proc.js'
import { REPO_ROOT } from './require-peer.js'

/** A duration as the gateway config accepts it (number of seconds or a string like "30s"). */
export type Duration = number | string

/** The gateway's YAML config, as an object. Unknown keys are passed through unchanged. */
export interface GatewayConfig {
  /** Default `{ host: '127.0.0.1', port: 0 }`. */
  listen?: { host?: string; port?: number };
  upstreams: Array<{ name: string; url: string; [k: string]: unknown }>;
  server?: { minHeartbeat?: Duration; maxHeartbeat?: Duration; [k: string]: unknown };
  timeouts?: { easRequestTimeout?: Duration; executionTimeout?: Duration; drainGrace?: Duration; [k: string]: unknown };
  /** Default `{ listen: { host: '127.0.0.1', port: 0 } }`; `null` = no admin listener expected. */
  admin?: { listen?: { host?: string; port?: number }; [k: string]: unknown } | null;
  [k: string]: unknown;
}

/** Captured gateway output. */
export interface GatewayLogs {
  /** Every output line so far (stdout and stderr). */
  readonly lines: string[];
  /** The lines that parsed as JSON objects. */
  readonly entries: Array<Record<string, unknown>>;
  /** All output as one string. */
  text(): string;
  /** Resolves the first entry (already seen or future) matching `pred`; rejects after `timeoutMs` (default 10 000) or if the gateway exits. */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** A running gateway. */
export interface RunningGateway {
  /** `http://127.0.0.1:<port>` of the EAS listener (append `/Microsoft-Server-ActiveSync`). */
  url: string;
  /** `http://127.0.0.1:<port>` of the admin listener, or undefined when `admin: null`. */
  adminUrl: string | undefined;
  port: number;
  adminPort: number | undefined;
  /** Path of the YAML file it was started with. */
  configFile: string;
  logs: GatewayLogs;
  process: ManagedProcess;
  /** SIGTERM, then SIGKILL after `stopGraceMs`; resolves the exit info. Also run at teardown. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Options for {@link startGateway}. */
export interface StartGatewayOptions {
  /** How long to wait for the "listening" line (default 15 000 ms). */
  readyTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL on stop (default 15 000 ms). */
  stopGraceMs?: number;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  /** Entry point (default `<repo>/dist/bin/gateway.js`). */
  entry?: string;
}

type Ports = { main?: number; admin?: number }

const ROLE_KEYS = ['name', 'kind', 'server', 'role', 'component', 'listener', 'type']
const MAIN_PORT_KEYS = /^(listen|main|proxy|http|https|gateway|eas|public)$/i

function portOfString (s: string): number | undefined {
  const m = /^(?:https?:\/\/)?(?:\[[^\]]*\]|[^/:\s]+):(\d{1,5})(?:\/|$)/.exec(s)
  return m ? Number(m[1]) : undefined
}

/** Extracts bound ports from one "listening" log entry (tolerant of several shapes; see the module doc). */
export function portsFromListening (entry: Record<string, unknown>): Ports {
  const out: Ports = {}
  const lineIsAdmin = ROLE_KEYS.some((k) => typeof entry[k] === 'string' && /admin/i.test(entry[k] as string))
  const put = (admin: boolean, port: number | undefined): void => {
    if (port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) return
    if (admin) out.admin ??= port
    else out.main ??= port
  }
  const visit = (o: Record<string, unknown>, path: string[]): void => {
    for (const [k, v] of Object.entries(o)) {
      if (/upstream|backend|target|peer|client|remote/i.test(k)) continue // not our own listeners
      const p = [...path, k]
      const admin = lineIsAdmin || p.some((x) => /admin/i.test(x))
      if (typeof v === 'number' && (/port$/i.test(k) || (path[path.length - 1] === 'ports' && (MAIN_PORT_KEYS.test(k) || /admin/i.test(k))))) {
        put(admin, v)
      } else if (typeof v === 'string' && (/url$/i.test(k) || /^(address|addr|listen|bound)$/i.test(k))) {
        put(admin, portOfString(v))
      } else if (v && typeof v === 'object' && !Array.isArray(v)) {
        visit(v as Record<string, unknown>, p)
      }
    }
  }
  visit(entry, [])
  return out
}

/**
 * Writes `config` as YAML into a temp dir, starts the gateway, waits (bounded)
 * until it listens, and stops it at teardown.
 *
 * Ports: when the config leaves `listen.port` / `admin.listen.port` unset, the
 * helper picks free ports itself and writes them into the YAML, and readiness
 * is "the listening line was seen, or both ports accept connections" — the
 * gateway's logger may buffer stdout (pino async destination), so the line can
 * arrive late. An explicit `port: 0` relies on the "listening" line alone.
 * Guard the test with `requirePeer(t, 'gateway')` (dist must be built).
 */
export async function startGateway (t: TapLike, config: GatewayConfig, opts: StartGatewayOptions = {}): Promise<RunningGateway> {
  const entry = opts.entry ?? join(REPO_ROOT, 'dist', 'bin', 'gateway.js')
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run \`npm run build\``)
  const dir = await makeTempDir(t, 'eas-it-gateway-')
  const configFile = join(dir, 'config.yaml')
  const wantAdmin = config.admin !== null
  const pickMain = config.listen?.port === undefined
  const pickAdmin = wantAdmin && config.admin?.listen?.port === undefined

  for (let attempt = 1; ; attempt++) {
    const full: GatewayConfig = {
      ...config,
      listen: { host: LOOPBACK, ...config.listen, port: pickMain ? await freePort() : config.listen!.port! },
    }
    if (wantAdmin) {
      full.admin = {
        ...config.admin,
        listen: { host: LOOPBACK, ...config.admin?.listen, port: pickAdmin ? await freePort() : config.admin!.listen!.port! },
      }
    } else delete full.admin
    await writeFile(configFile, stringify(full))
    try {
      return await launchGateway(t, entry, configFile, full, opts)
    } catch (err) {
      const msg = (err as Error).message
      // A picked port was taken between freePort() and the gateway's bind: pick again.
      if ((pickMain || pickAdmin) && attempt < 3 && /EADDRINUSE|address already in use/i.test(msg)) continue
      throw err
    }
  }
}

async function launchGateway (
  t: TapLike,
  entry: string,
  configFile: string,
  full: GatewayConfig,
  opts: StartGatewayOptions
): Promise<RunningGateway> {
  const lines: string[] = []
  const entries: Array<Record<string, unknown>> = []
  const waiters = new Set<{ pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }>()
  const proc = startProcess(t, {
    name: 'gateway',
    command: process.execPath,
    args: [entry, 'serve', '-c', configFile, '--workers', '1'],
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stopGraceMs: opts.stopGraceMs ?? 15_000,
  })
  const logged: Ports = {}
  proc.onLine((line) => {
    lines.push(line)
    if (!line.startsWith('{')) return
    let e: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(line)
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return
      e = parsed as Record<string, unknown>
    } catch {
      return
    }
    entries.push(e)
    if (e.msg === 'listening') {
      const p = portsFromListening(e)
      logged.main ??= p.main
      logged.admin ??= p.admin
    }
    for (const w of waiters) {
      if (w.pred(e)) {
        waiters.delete(w)
        w.resolve(e)
      }
    }
  })
  const logs: GatewayLogs = {
    lines,
    entries,
    text: () => proc.output(),
    waitFor: (pred, timeoutMs = 10_000) => {
      const seen = entries.find(pred)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (e: Record<string, unknown>) => {
            clearTimeout(timer)
            resolve(e)
          },
        }
        const timer = setTimeout(() => {
          waiters.delete(w)
          reject(new Error(`no matching gateway log entry within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join('\n')}`))
        }, timeoutMs)
        waiters.add(w)
        void proc.exited.then(() => {
          if (!waiters.has(w)) return
          waiters.delete(w)
          clearTimeout(timer)
          reject(new Error(exitedReason(proc) ?? 'gateway exited'))
        })
      })
    },
  }
  const wantAdmin = full.admin !== undefined && full.admin !== null
  const cfgMain = full.listen?.port || undefined
  const cfgAdmin = wantAdmin ? full.admin?.listen?.port || undefined : undefined
  let ports: Ports | undefined
  try {
    ports = await waitFor(
      `gateway to listen${wantAdmin ? ' (EAS and admin ports)' : ''}`,
      async (): Promise<Ports | undefined> => {
        if (logged.main !== undefined && (!wantAdmin || logged.admin !== undefined)) return { ...logged }
        if (cfgMain === undefined || (wantAdmin && cfgAdmin === undefined)) return undefined
        if (!(await canConnect(cfgMain, 500))) return undefined
        if (cfgAdmin !== undefined && !(await canConnect(cfgAdmin, 500))) return undefined
        return { main: cfgMain, ...(cfgAdmin !== undefined ? { admin: cfgAdmin } : {}) }
      },
      { timeoutMs: opts.readyTimeoutMs ?? 15_000, abortIf: () => exitedReason(proc) }
    )
  } catch (err) {
    await proc.stop()
    throw new Error(`${(err as Error).message}\nconfig (${configFile}):\n${stringify(full)}\noutput:\n${lines.slice(-30).join('\n')}`)
  }
  return {
    url: `http://${LOOPBACK}:${ports.main}`,
    adminUrl: ports.admin === undefined ? undefined : `http://${LOOPBACK}:${ports.admin}`,
    port: ports.main!,
    adminPort: ports.admin,
    configFile,
    logs,
    process: proc,
    stop: () => proc.stop(),
  }
}
