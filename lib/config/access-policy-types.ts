/** What a rule or the default does with a device. */
export type AccessAction = 'allow' | 'block' | 'quarantine'

/** Statuses a block rule may answer with (MS-ASCMD §2.2.2): device blocked, user disabled, access denied. */
export const BLOCK_STATUSES = [129, 126, 130] as const
/** One of BLOCK_STATUSES. */
export type BlockStatus = typeof BLOCK_STATUSES[number]

/**
 * A value pattern as written in a policy file: `/regex/flags`, a glob with `*` and `?`, or an
 * exact value. Exact values and globs compare case-insensitively; a regex as written.
 */
export interface MatchPattern {
  readonly kind: 'exact' | 'glob' | 'regex'
  /** The text as written in the file (with the slashes of a regex). */
  readonly text: string
  /** Regex only: the expression between the slashes, and its flags. */
  readonly source?: string
  readonly flags?: string
}

/** One end of a protocol version range; versions are `major * 100 + minor` (14.1 is 1401). */
export interface VersionBound { readonly version: number, readonly inclusive: boolean }

/** A protocol version range as written (`<14.0`, `>=12.1`, `14.0-16.1`, `14.1`). */
export interface VersionRange { readonly text: string, readonly min?: VersionBound, readonly max?: VersionBound }

/**
 * What a rule matches. Every field present must match (AND); a field given as a list matches
 * when any entry does (OR). An empty match matches every request.
 */
export interface PolicyMatch {
  readonly user?: readonly MatchPattern[]
  /** Names of groups under `users:`. */
  readonly users?: readonly string[]
  readonly deviceId?: readonly MatchPattern[]
  readonly deviceType?: readonly MatchPattern[]
  readonly userAgent?: readonly MatchPattern[]
  readonly protocol?: readonly VersionRange[]
  /** Command names as written (`Sync`, `Options` for the OPTIONS method); lib/policy checks them. */
  readonly command?: readonly string[]
  /** Names of lists under `lists:`: matches when the DeviceId is on one of them. */
  readonly list?: readonly string[]
}

/** One rule: first match wins. */
export interface PolicyRule {
  readonly name: string
  readonly match: PolicyMatch
  readonly action: AccessAction
  /** Block only: the common status sent at protocol 14.0 and later. Default: 129 */
  readonly status?: BlockStatus
}

/** An external compliance list (an MDM export) of DeviceIds, polled over HTTP(S). */
export interface PolicyListSource {
  readonly url: string
  readonly format: 'json' | 'csv'
  /** The JSON property or CSV column that holds the DeviceId. Default: deviceId */
  readonly field: string
  /** Poll interval (ms). Default: 5m */
  readonly interval: number
  /** One fetch's time limit (ms). Default: 30s */
  readonly timeout: number
  /** What a rule on this list decides while the list is unavailable. Default: last-known */
  readonly onUnavailable: 'allow' | 'block' | 'last-known'
}

/** A policy file as loaded: validated, defaulted, deep-frozen. */
export interface AccessPolicyFile {
  readonly default: AccessAction
  /** Most devices one user may sync; absent: no limit. */
  readonly maxDevicesPerUser?: number
  /** Which device a user over the limit loses: the one seen first last (newest) or first (oldest). Default: newest */
  readonly refuseOverLimit: 'newest' | 'oldest'
  /** Groups of users by name. */
  readonly users: Readonly<Record<string, readonly MatchPattern[]>>
  readonly lists: Readonly<Record<string, PolicyListSource>>
  readonly rules: readonly PolicyRule[]
}
