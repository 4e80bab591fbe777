import type { AccessAction, AccessPolicyFile, BlockStatus } from '../config/index.js'
import type { KnownCommand } from '../eas/index.js'

/**
 * The facts of one request a rule may look at. `user` is the Basic user name or the verified
 * Bearer identity, never the query's `User=` (a hint that decides nothing).
 */
export interface AccessRequest {
  readonly method: string
  /** The command as parsed from the query; `` for OPTIONS. */
  readonly command: string
  readonly user?: string | undefined
  readonly deviceId?: string | undefined
  readonly deviceType?: string | undefined
  readonly userAgent?: string | undefined
  readonly protocolVersion?: string | undefined
}

/** What the policy knows of a compliance list when it decides. */
export interface ListView {
  /** False when the last fetch failed or none succeeded yet (then `onUnavailable` applies). */
  readonly available: boolean
  /** DeviceIds on the list, as last known (lowercase). */
  readonly entries: ReadonlySet<string>
}

/** A device that holds one of its user's slots (maxDevicesPerUser). */
export interface DeviceSlot { readonly deviceId: string, readonly firstSeen: number }

/** The state a decision reads, passed in by its owner: decisions keep none. */
export interface AccessState {
  /** Compliance lists by name. A list absent here counts as unavailable with no entries. */
  readonly lists?: ReadonlyMap<string, ListView>
  /** The user's devices that hold a slot, this one included when already known. */
  readonly userDevices?: readonly DeviceSlot[]
  /** Now (ms): the first-seen time of a device not in `userDevices`. */
  readonly now: number
}

/** Why a decision came out the way it did: a bounded set (a metric label). */
export type AccessReason = 'rule' | 'default' | 'device-limit' | 'list-unavailable' | 'no-policy'

/** The decision about one request. */
export interface AccessDecision {
  /** What the device is: allowed, blocked or quarantined. */
  readonly decision: AccessAction
  /** The rule that decided, or `default`, `device-limit`, `none` (no policy). Bounded by the file. */
  readonly rule: string
  readonly reason: AccessReason
  /** True when the request goes to the mail server. */
  readonly forward: boolean
  /** When not forwarded: the common status to answer with at 14.0+ (129, 126, 130, 177). */
  readonly status?: BlockStatus | 177
}

/** A rule compiled into a predicate. */
export interface CompiledRule {
  readonly name: string
  readonly action: AccessAction
  readonly status: BlockStatus
  /** Zero-based position in the file. */
  readonly index: number
  /** True when every field but `list` matches. */
  readonly matches: (r: AccessRequest) => boolean
  /** Lists the DeviceId must be on (any of them); empty when the rule names none. */
  readonly lists: readonly string[]
  /** Each list's `onUnavailable`, by list name. */
  readonly onUnavailable: ReadonlyMap<string, 'allow' | 'block' | 'last-known'>
  /** Commands the rule is limited to, when it is. */
  readonly commands?: ReadonlySet<KnownCommand | 'Options'>
}

/** A policy ready to decide: the file it came from plus its compiled rules and groups. */
export interface AccessPolicy {
  readonly file: AccessPolicyFile
  readonly rules: readonly CompiledRule[]
}

/**
 * What a quarantined device may still do: enough to set up the account and show its user why
 * (issue #10): OPTIONS, Provision, FolderSync and Settings. Everything else is refused.
 */
export const QUARANTINE_COMMANDS: ReadonlySet<string> = new Set(['Options', 'Provision', 'FolderSync', 'Settings'])
