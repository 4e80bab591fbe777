/** A finding about an input file: the shape shared by the config loader, the linter and serve. */
export interface Diagnostic {
  /** Stable rule code, e.g. `GW0003` */
  readonly code: string
  /** kebab-case rule name, e.g. `invalid-type` */
  readonly rule: string
  readonly severity: Severity
  readonly message: string
  /** How to fix it, when there is something to say. */
  readonly hint?: string
  readonly file: string
  /** 1-based line and column of the offending value (or of the key when it is missing). */
  readonly line: number
  readonly col: number
  /** Path in the document, e.g. `['timeouts', 'easRequestTimeout']`. */
  readonly path: readonly (string | number)[]
}

/** Finding levels, most severe first. */
export type Severity = 'error' | 'warning' | 'info'

/** Numeric rank of a severity (error = 3). */
export function severityRank (s: Severity | 'none'): number {
  return s === 'error' ? 3 : s === 'warning' ? 2 : s === 'info' ? 1 : 4
}

/** `file:line:col severity CODE rule: message` */
export function formatDiagnostic (d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.rule}: ${d.message}`
}
