import type { Registry } from 'prom-client'
import { metricNames } from '../../lib/metrics/index.js'
import type { DeviceRequest } from './device-connection.js'
import type { LogLine } from './log-sink.js'
import { histogramCount, metricSeries, metricValue } from './metric-values.js'
import type { TestGateway } from './start-gateway.js'

/** The test device's identity. The password must never show up in a log line. */
export const USER = 'alice'
export const PASSWORD = 'S3cret-Passw0rd!'
/** The base64 token of `USER:PASSWORD`: must never show up in a log line either. */
export const AUTH_TOKEN = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
export const AUTHORIZATION = `Basic ${AUTH_TOKEN}`
export const DEVICE_ID = 'DEV0001'
export const DEVICE_TYPE = 'iPhone'

/** The EAS path with a plain query for `cmd`. */
export function easPath (cmd: string, path = '/Microsoft-Server-ActiveSync'): string {
  return `${path}?Cmd=${cmd}&User=${USER}&DeviceId=${DEVICE_ID}&DeviceType=${DEVICE_TYPE}`
}

/** A device request for an EAS command, with Basic auth and the usual EAS headers. */
export function easRequest (cmd: string, opts: { body?: Buffer | string, headers?: readonly (readonly [string, string])[], path?: string, method?: string } = {}): DeviceRequest {
  return {
    method: opts.method ?? 'POST',
    path: opts.path ?? easPath(cmd),
    headers: [
      ['Authorization', AUTHORIZATION],
      ['MS-ASProtocolVersion', '14.1'],
      ['Content-Type', 'application/vnd.ms-sync.wbxml'],
      ...(opts.headers ?? [])
    ],
    body: opts.body ?? (opts.method === 'OPTIONS' ? undefined : Buffer.from([0x03, 0x01, 0x6a, 0x00]))
  }
}

/** The assertion methods these helpers use (any tap Test fits). */
export interface Asserts {
  equal (found: unknown, wanted: unknown, msg: string): boolean
  match (found: unknown, wanted: unknown, msg: string): boolean
  ok (found: unknown, msg: string): boolean
}

/** What a finished request must look like in its access line and metrics. */
export interface ExpectedOutcome {
  readonly command: string
  readonly outcome: string
  readonly status: number
  readonly reason?: string
  /** Whether the request reached the upstream (default: true for upstream outcomes). */
  readonly upstream?: boolean
  /** Whether response headers came from the upstream (sets upstreamMs). */
  readonly upstreamAnswered?: boolean
  /** How many requests this gateway has seen in total, for the exact-count checks. Default: 1 */
  readonly total?: number
}

/**
 * Waits for the request's one access line, then checks it and the metrics: the outcome counted
 * once in eas_gateway_requests_total{command,outcome}, one duration observation, in-flight back to
 * 0, and exactly `total` access lines overall.
 */
export async function expectOutcome (t: Asserts, gw: TestGateway, want: ExpectedOutcome): Promise<LogLine> {
  const total = want.total ?? 1
  const lines = await gw.sink.waitForAccessLines(total)
  const line = lines.find((l) => l['eas.outcome'] === want.outcome && l['eas.command'] === (want.command === 'Options' ? '' : want.command))
  t.ok(line, `an access line with outcome ${want.outcome}`)
  if (line === undefined) return {}
  const reachedUpstream = want.upstream ?? !(want.outcome === 'answered_locally' || want.outcome.startsWith('refused_'))
  t.match(line, {
    level: /^(info|warn)$/,
    'http.request.id': String,
    'eas.command': want.command === 'Options' ? '' : want.command,
    'eas.outcome': want.outcome,
    'http.response.status_code': want.status,
    'event.duration': Number,
    'eas.device.id': DEVICE_ID,
    'eas.device.type': DEVICE_TYPE,
    'user.name': USER,
    ...(reachedUpstream ? { 'eas.upstream.name': 'up1' } : {}),
    ...(want.reason !== undefined ? { 'eas.reason': want.reason } : {})
  }, 'access line fields')
  const upstreamObserved = await histogramCount(gw.registry, metricNames.upstreamDuration, { command: want.command, upstream: 'up1' })
  if (want.upstreamAnswered === true) {
    t.match(line['eas.upstream.duration'], Number, 'upstreamMs set once the upstream answered')
    t.equal(upstreamObserved, 1, 'one upstream response time observation')
  } else if (want.upstreamAnswered === false) {
    t.equal(line['eas.upstream.duration'], undefined, 'no upstreamMs without an upstream answer')
    t.equal(upstreamObserved, 0, 'no upstream response time observed')
  }
  t.equal(gw.sink.accessLines().length, total, `exactly ${total} access line(s)`)
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: want.command, outcome: want.outcome }), 1,
    `${metricNames.requests}{command="${want.command}",outcome="${want.outcome}"} is 1`)
  t.equal(await metricValue(gw.registry, metricNames.requests), total, `${total} request(s) counted in all`)
  t.equal(await histogramCount(gw.registry, metricNames.duration, { command: want.command, outcome: want.outcome }), 1, 'one duration observation')
  await expectNothingInFlight(t, gw.registry)
  return line
}

/** Every in-flight series is back to 0. */
export async function expectNothingInFlight (t: Asserts, registry: Registry): Promise<void> {
  const series = await metricSeries(registry, metricNames.inFlight)
  t.ok(series.every((s) => s.value === 0), `in-flight back to 0 (${JSON.stringify(series)})`)
}
