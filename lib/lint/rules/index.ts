import type { Rule } from '../types.js'
import { rule as executionTimeoutNotAboveRequestTimeout } from './execution-timeout-not-above-request-timeout.js'
import { rule as requestTimeoutNotAboveMaxHeartbeat } from './request-timeout-not-above-max-heartbeat.js'

/** Every rule, in the order findings are reported. */
export const RULES: readonly Rule[] = [
  executionTimeoutNotAboveRequestTimeout,
  requestTimeoutNotAboveMaxHeartbeat
]
