/**
 * The integration tier's fixture files (test/integration/fixtures/) and the tools that read
 * them, so that a test starts exactly the path its topology file describes:
 *
 * - {@link loadGatewayFixture}: a gateway config fixture as the object `startGateway` takes.
 * - {@link loadTopology}: a topology fixture, with {@link nginxOptionsFrom} /
 *   {@link haproxyOptionsFrom} turning its hop into the options of `startNginx` / `startHaproxy`
 *   (same timeouts, same abortonclose, same 401 rule).
 * - {@link lintTopology}: `gateway lint --format json` on a file, exit code and report.
 * - {@link readmePromql}: a ```promql block of README.md, read from the file (never a copy).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { GatewayConfig } from './gateway.js'
import type { HaproxyOptions, NginxOptions } from './peers.js'
import { runCommand } from './proc.js'
import { REPO_ROOT } from './require-peer.js'
import { hordeFixture } from './horde.js'
import { sogoFixture } from './sogo.js'

/** test/integration/fixtures */
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'integration', 'fixtures')

/** Path of a fixture file. */
export function fixturePath (name: string): string {
  return join(FIXTURES_DIR, name)
}

/**
 * Reads a gateway config fixture. Each upstream URL is pointed at the running fixture it names
 * (an upstream named `horde`: the origin of HORDE_EAS_URL; any other: of SOGO_EAS_URL; the gateway
 * appends the device's path) when that runs elsewhere than the default; nothing else is changed.
 */
export function loadGatewayFixture (name: string): GatewayConfig {
  const cfg = parse(readFileSync(fixturePath(name), 'utf8')) as GatewayConfig
  const sogo = new URL(sogoFixture().easUrl).origin
  const horde = new URL(hordeFixture().easUrl).origin
  cfg.upstreams = cfg.upstreams.map((u) => {
    const origin = u.name === 'horde' ? horde : sogo
    return new URL(u.url).origin === origin ? u : { ...u, url: `${origin}/` }
  })
  return cfg
}

/** One hop of a topology file, as written. */
export interface TopologyHopDoc {
  name: string;
  kind: string;
  timeouts?: Record<string, string | number>;
  abortOnClose?: boolean;
  closeOn401?: boolean;
  balancing?: string;
  config?: string;
  [k: string]: unknown;
}

/** A topology file, as written. */
export interface TopologyDoc {
  margin?: string;
  server: { kind: string; minHeartbeat?: string; maxHeartbeat?: string };
  hops: TopologyHopDoc[];
}

/** A loaded topology fixture. */
export interface TopologyFixture {
  file: string;
  doc: TopologyDoc;
  /** The first hop of `kind`; throws when there is none. */
  hop(kind: string): TopologyHopDoc;
}

/** Reads a topology fixture. */
export function loadTopology (name: string): TopologyFixture {
  const file = fixturePath(name)
  const doc = parse(readFileSync(file, 'utf8')) as TopologyDoc
  return {
    file,
    doc,
    hop (kind) {
      const h = doc.hops.find((x) => x.kind === kind)
      if (!h) throw new Error(`${name}: no hop of kind ${kind}`)
      return h
    },
  }
}

/**
 * Seconds of a duration as the topology files in fixtures/ write it: `250ms`, `2s`, `5m`, `1h`,
 * or a bare number in the vendor's unit `bareUnit` (nginx: s, HAProxy: ms).
 */
export function durationSeconds (v: string | number, bareUnit: 's' | 'ms'): number {
  if (typeof v === 'number' || /^\d+(\.\d+)?$/.test(v)) return Number(v) / (bareUnit === 'ms' ? 1000 : 1)
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v.trim())
  if (!m) throw new Error(`duration "${v}": the fixtures write durations as <number><ms|s|m|h>`)
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h']
}

/** `startNginx` options for the topology's nginx hop (proxy_read_timeout = proxy_send_timeout). */
export function nginxOptionsFrom (topo: TopologyFixture, upstream: string): NginxOptions {
  const hop = topo.hop('nginx')
  const read = hop.timeouts?.proxy_read_timeout
  const send = hop.timeouts?.proxy_send_timeout
  if (read === undefined) throw new Error(`${topo.file}: the nginx hop must set proxy_read_timeout`)
  const readSec = durationSeconds(read, 's')
  if (send !== undefined && durationSeconds(send, 's') !== readSec) {
    throw new Error(`${topo.file}: startNginx sets proxy_send_timeout = proxy_read_timeout; write them equal`)
  }
  if (hop.closeOn401) throw new Error(`${topo.file}: the test nginx does not close the connection after a 401`)
  return { upstream, readTimeoutSec: readSec }
}

/**
 * `startHaproxy` options for the topology's HAProxy hop: timeout client/server (required: unset
 * is no timeout), connect, http-keep-alive and http-request when given, abortonclose, the 401 rule.
 */
export function haproxyOptionsFrom (topo: TopologyFixture, upstream: string): HaproxyOptions {
  const hop = topo.hop('haproxy')
  const t = hop.timeouts ?? {}
  const ms = (k: string): string | undefined => (t[k] === undefined ? undefined : `${Math.round(durationSeconds(t[k]!, 'ms') * 1000)}ms`)
  const client = ms('timeout client')
  const server = ms('timeout server')
  if (client === undefined || server === undefined) {
    throw new Error(`${topo.file}: the HAProxy hop must set timeout client and timeout server (unset would be no timeout)`)
  }
  const connect = ms('timeout connect')
  const httpKeepAlive = ms('timeout http-keep-alive')
  const httpRequest = ms('timeout http-request')
  return {
    upstream,
    timeouts: { client, server, ...(connect ? { connect } : {}), ...(httpKeepAlive ? { httpKeepAlive } : {}), ...(httpRequest ? { httpRequest } : {}) },
    abortOnClose: hop.abortOnClose === true,
    ...(hop.closeOn401 ? { extraBackend: 'http-response set-header Connection close if { status 401 }' } : {}),
  }
}

/** A finding of `gateway lint --format json`. */
export interface LintFinding {
  ruleId: string;
  ruleName: string;
  level: 'error' | 'warning' | 'info';
  message: string;
  file: string;
  line: number;
  col: number;
  path: Array<string | number>;
}

/** Result of {@link lintTopology}. */
export interface LintRun {
  exitCode: number | null;
  /** The JSON report (undefined when stdout was not JSON, e.g. exit 2). */
  report:
    | {
      findings: LintFinding[];
      heartbeat: { effective: { seconds: number }; largestSafe: { seconds: number; hop: string; setting: string } | null } | null;
      summary: { errors: number; warnings: number; infos: number; suppressed: number };
      exitCode: number;
    }
    | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/bin/gateway.js lint --format json <file> [...args]` (needs `npm run build`). */
export async function lintTopology (file: string, args: string[] = []): Promise<LintRun> {
  const r = await runCommand(process.execPath, [join(REPO_ROOT, 'dist', 'bin', 'gateway.js'), 'lint', '--format', 'json', ...args, file], {
    timeoutMs: 30_000,
  })
  const stdout = r.stdout.toString('utf8')
  let report: LintRun['report']
  try {
    report = JSON.parse(stdout) as LintRun['report']
  } catch {
    report = undefined
  }
  return { exitCode: r.code, report, stdout, stderr: r.stderr }
}

/**
 * The first ```promql block under the README heading `heading` (any level), read from
 * README.md at the repository root. Throws when the heading or the block is missing.
 */
export function readmePromql (heading: string): string {
  const text = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const lines = text.split('\n')
  const start = lines.findIndex((l) => /^#{1,6}\s/.test(l) && l.replace(/^#+\s*/, '').trim() === heading)
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`)
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((l) => /^#{1,6}\s/.test(l))
  const section = (end < 0 ? rest : rest.slice(0, end)).join('\n')
  const m = /```promql\n([\s\S]*?)\n```/.exec(section)
  if (!m) throw new Error(`README.md § ${heading} has no \`\`\`promql block`)
  return m[1]!.trim()
}
