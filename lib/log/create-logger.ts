import { pino, type DestinationStream, type Logger } from 'pino'
import { createLogDestination } from './create-log-destination.js'

/** Header paths that must never reach a log line, even if a future change logs headers. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["proxy-authorization"]', 'req.headers.cookie',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'authorization', 'cookie'
]

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. Default: info */
  readonly level?: string
  /** Where JSON lines go. Default: stdout through {@link createLogDestination} (batched, never blocking). */
  readonly destination?: DestinationStream
}

/** The one pino factory: JSON lines, credentials redacted at construction, ISO timestamps. */
export function createLogger (opts: LoggerOptions = {}): Logger {
  return pino({
    level: opts.level ?? 'info',
    base: { name: 'eas-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) }
  }, opts.destination ?? createLogDestination())
}

export type { Logger }
