/**
 * Reading a running gateway's admin listener from an integration test: `/metrics`
 * (Prometheus text format, parsed into samples) and `/devices` (the per-device view).
 *
 * Everything is a plain GET with a short timeout; waiting is done by polling with
 * {@link waitFor} on these observables, never by sleeping.
 */
import { waitFor, type WaitOptions } from './proc.js'

/** One sample of the Prometheus text format. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (comments skipped; `NaN`, `+Inf` understood). */
export function parseMetrics (text: string): MetricSample[] {
  const out: MetricSample[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1')
    }
    const v = m[3]!
    out.push({ name: m[1]!, labels, value: v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v) })
  }
  return out
}

/** Sum of the samples named `name` whose labels include `labels` (0 when there is none). */
export function metricValue (samples: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const s of samples) {
    if (s.name !== name) continue
    if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value
  }
  return sum
}

async function getText (url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`)
  return res.text()
}

/** GET `<adminUrl>/metrics`, parsed. */
export async function readMetrics (adminUrl: string): Promise<MetricSample[]> {
  return parseMetrics(await getText(`${adminUrl}/metrics`))
}

/** A read-only view of the gateway's metrics for assertions on counters and gauges. */
export interface MetricsView {
  samples: MetricSample[];
  /** See {@link metricValue}. */
  value(name: string, labels?: Record<string, string>): number;
}

/** Reads `/metrics` once into a {@link MetricsView}. */
export async function metricsView (adminUrl: string): Promise<MetricsView> {
  const samples = await readMetrics(adminUrl)
  return { samples, value: (name, labels) => metricValue(samples, name, labels) }
}

/**
 * Polls `/metrics` until `pred(view)` holds; resolves that view. `what` names the
 * condition in the timeout message.
 */
export function waitForMetrics (
  adminUrl: string,
  what: string,
  pred: (m: MetricsView) => boolean,
  opts: WaitOptions = {}
): Promise<MetricsView> {
  return waitFor(
    `gateway metrics: ${what}`,
    async () => {
      const m = await metricsView(adminUrl)
      return pred(m) ? m : undefined
    },
    { timeoutMs: 10_000, ...opts }
  )
}

/** One device of `/devices` (lib/proxy/device-registry.ts `snapshot`). */
export interface DeviceView {
  deviceId: string;
  user: string;
  deviceType?: string;
  userAgent?: string;
  protocolVersion?: string;
  lastSeen: string;
  lastCommand: string;
  heartbeat?: number;
  heldPing: { heartbeat?: number; heldSeconds: number } | null;
  superseded: number;
}

/** The `/devices` document. */
export interface DevicesView {
  tracked: number;
  online: number;
  pingsHeld: number;
  devices: DeviceView[];
}

/** GET `<adminUrl>/devices`. */
export async function readDevices (adminUrl: string): Promise<DevicesView> {
  return JSON.parse(await getText(`${adminUrl}/devices`)) as DevicesView
}

/** The `/devices` entry of one DeviceId, or undefined when the gateway does not know it. */
export async function readDevice (adminUrl: string, deviceId: string): Promise<DeviceView | undefined> {
  return (await readDevices(adminUrl)).devices.find((d) => d.deviceId === deviceId)
}

/** Polls `/devices` until the device's entry satisfies `pred`; resolves the entry. */
export function waitForDevice (
  adminUrl: string,
  deviceId: string,
  what: string,
  pred: (d: DeviceView) => boolean,
  opts: WaitOptions = {}
): Promise<DeviceView> {
  return waitFor(
    `/devices: ${deviceId} ${what}`,
    async () => {
      const d = await readDevice(adminUrl, deviceId)
      return d && pred(d) ? d : undefined
    },
    { timeoutMs: 10_000, ...opts }
  )
}

/** Resolves once the gateway shows a Ping held for `deviceId` (a poll on `/devices`). */
export function waitUntilHeld (adminUrl: string, deviceId: string, opts: WaitOptions = {}): Promise<DeviceView> {
  return waitForDevice(adminUrl, deviceId, 'holds a Ping', (d) => d.heldPing !== null, opts)
}
