import type { DocPath, GatewayConfig, LoadedGatewayConfig, Severity } from '../config/index.js'

/** A gateway config that loaded without structural errors. */
export type ValidGatewayConfig = LoadedGatewayConfig & { readonly config: GatewayConfig }

/**
 * Everything the rules look at. `gateways` are the gateway configs in play: the one `serve` is
 * starting, or the ones a topology's `eas-gateway` hops point at.
 */
export interface LintSubject {
  readonly gateways: readonly ValidGatewayConfig[]
}

/** Values substituted into a message template's `{name}` placeholders. */
export type MessageData = Readonly<Record<string, string | number>>

/** What a rule reports: where (a file's position map and a path in it), which message, with what. */
export interface Report {
  readonly in: { readonly file: string, readonly positions: LoadedGatewayConfig['positions'] }
  readonly path: DocPath
  readonly messageId: string
  readonly data?: MessageData
  /** Point at the key instead of the value (for a missing or misplaced setting). */
  readonly atKey?: boolean
  /** Overrides the rule's level for this finding (e.g. a margin warning from an error rule). */
  readonly severity?: Severity
}

/** The context a rule's check runs with. */
export interface RuleContext {
  readonly subject: LintSubject
  report (r: Report): void
}

/**
 * One lint rule (typescript-eslint anatomy): `id` equals the file name, `code` is stable and never
 * reused, messages are templates declared once.
 */
export interface Rule {
  readonly code: string
  readonly id: string
  readonly severity: Severity
  readonly description: string
  readonly hint: string
  readonly messages: Readonly<Record<string, string>>
  check (ctx: RuleContext): void
}
