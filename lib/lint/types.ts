import type { AccessPolicyFile, DocPath, GatewayConfig, LoadedGatewayConfig, PositionMap, Severity, Topology } from '../config/index.js'
import type { ChainAnalysis } from './timeout-chain.js'

/** A gateway config that loaded without structural errors. */
export type ValidGatewayConfig = LoadedGatewayConfig & { readonly config: GatewayConfig }

/** A file's name and the positions of its values: where a finding can point. */
export interface ReportFile { readonly file: string, readonly positions: PositionMap }

/** A topology resolved against the catalog, its eas-gateway configs, and the chain analysis. */
export interface LintTopology extends ReportFile {
  readonly model: Topology
  /** eas-gateway configs by hop index (absent when the file could not be loaded). */
  readonly gateways: ReadonlyMap<number, ValidGatewayConfig>
  readonly chain: ChainAnalysis
}

/**
 * Everything the rules look at. `gateways` are the gateway configs in play: the one `serve` is
 * starting, or the ones a topology's `eas-gateway` hops point at. `topology` is there for
 * `gateway lint topology.yaml`; topology rules do nothing without it.
 */
export interface LintSubject {
  readonly gateways: readonly ValidGatewayConfig[]
  readonly topology?: LintTopology
  /** A device access policy (GW04xx rules), when one is linted. */
  readonly accessPolicy?: LintAccessPolicy
}

/** A device access policy that loaded without structural errors. */
export interface LintAccessPolicy extends ReportFile { readonly policy: AccessPolicyFile }

/** Values substituted into a message template's `{name}` placeholders. */
export type MessageData = Readonly<Record<string, string | number>>

/** What a rule reports: where (a file's position map and a path in it), which message, with what. */
export interface Report {
  readonly in: ReportFile
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

/** What the docs, `--list-rules`, `--explain` and SARIF show of a rule. */
export interface RuleInfo {
  readonly code: string
  readonly id: string
  readonly severity: Severity
  readonly description: string
  readonly hint: string
}

/**
 * One lint rule (typescript-eslint anatomy): `id` equals the file name, `code` is stable and never
 * reused, messages are templates declared once.
 */
export interface Rule extends RuleInfo {
  readonly messages: Readonly<Record<string, string>>
  /** Hint templates by message id, filled with the finding's data; `hint` is the fallback. */
  readonly hints?: Readonly<Record<string, string>>
  check (ctx: RuleContext): void
}
