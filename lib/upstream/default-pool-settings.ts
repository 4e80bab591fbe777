import type { GatewayConfig } from '../config/index.js'

/** The pool settings (`pool:` in the gateway config); all durations in milliseconds. */
export type PoolSettings = GatewayConfig['pool']

/**
 * The schema's defaults, for callers that build an upstream set without a loaded config (tests,
 * embedders). A test keeps the two equal. Backoff like a managed device's sync retry (30 s
 * initial, 120 s max); error expiry like a software-distribution agent's (60 min).
 */
export const DEFAULT_POOL_SETTINGS: PoolSettings = Object.freeze({
  healthCheck: Object.freeze({ interval: 10_000, timeout: 5_000, path: '/Microsoft-Server-ActiveSync' }),
  ejection: Object.freeze({ consecutiveFailures: 3 }),
  backoff: Object.freeze({ initial: 30_000, max: 120_000, errorExpiry: 3_600_000 })
})
