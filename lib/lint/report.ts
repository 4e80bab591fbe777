import { severityRank, type Diagnostic, type Severity } from '../config/index.js'
import { settingName } from './describe-timer.js'
import type { ChainAnalysis } from './timeout-chain.js'

/** `--failure-threshold`: the lowest level that fails the run (inclusive); `none` never fails. */
export type FailureThreshold = Severity | 'none'

/** A file position. */
export interface Position { readonly file: string, readonly line: number, readonly col: number }

/** The heartbeat facts printed after the findings (also in JSON and SARIF). Seconds. */
export interface HeartbeatSummary {
  /** The max heartbeat in force: the server's, or an eas-gateway's clamp when lower. */
  readonly effective: Position & { readonly seconds: number, readonly source: string }
  /** The largest heartbeat every hop outlasts by its margin; null when no hop bounds it. */
  readonly largestSafe: (Position & { readonly seconds: number, readonly hop: string, readonly setting: string, readonly valueSeconds: number, readonly marginSeconds: number }) | null
}

/** Everything a formatter prints. */
export interface LintReport {
  readonly file: string
  readonly toolVersion: string
  readonly findings: readonly Diagnostic[]
  readonly suppressed: number
  /** Absent when the topology has structural errors and the chain was not analysed. */
  readonly heartbeat?: HeartbeatSummary
  readonly exitCode: number
}

/** The exit code for findings: 1 when any is at or above the threshold, else 0. */
export function exitCodeFor (findings: readonly Diagnostic[], threshold: FailureThreshold): 0 | 1 {
  if (threshold === 'none') return 0
  return findings.some((d) => severityRank(d.severity) >= severityRank(threshold)) ? 1 : 0
}

/** Counts by level. */
export function countFindings (findings: readonly Diagnostic[]): { errors: number, warnings: number, infos: number } {
  const n = (s: Severity): number => findings.filter((d) => d.severity === s).length
  return { errors: n('error'), warnings: n('warning'), infos: n('info') }
}

/** The heartbeat summary of a chain analysis. */
export function summarizeHeartbeat (chain: ChainAnalysis): HeartbeatSummary {
  const hb = chain.heartbeat
  const at = hb.in.positions.at(hb.path)
  const safe = chain.safe
  const safeAt = safe === undefined ? undefined : safe.timer.in.positions.at(safe.timer.setting.path)
  return {
    effective: { seconds: hb.ms / 1000, source: hb.label, file: hb.in.file, line: at.line, col: at.col },
    largestSafe: safe === undefined || safeAt === undefined
      ? null
      : {
          seconds: safe.ms / 1000,
          hop: safe.timer.hop.name,
          setting: settingName(safe.timer),
          valueSeconds: (safe.timer.setting.value as number) / 1000,
          marginSeconds: safe.timer.margin / 1000,
          file: safe.timer.in.file,
          line: safeAt.line,
          col: safeAt.col
        }
  }
}

/** `2039s (33m59s)`: exact seconds, and the same for humans when it is a minute or more. */
export function formatSeconds (seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  const human = `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${Math.round(s * 1000) / 1000}s` : ''}`
  return `${seconds}s (${human})`
}
