import type { Diagnostic } from './diagnostic.js'
import type { PositionMap, Schema } from './schema.js'

/** `access:` in gateway.yaml: device access control (README § Device access control). */
export interface AccessConfig {
  /** The policy file, relative to the config file. Absent: every device is allowed, as before. */
  readonly policy?: string
  /** Folder for the compliance lists' disk cache, relative to the config file. Absent: no disk cache. */
  readonly cacheDir?: string
  /** Re-read the policy when its file changes (debounced). Default: true */
  readonly watch: boolean
}

/** `auth.bearer:` in gateway.yaml: verify OAuth Bearer tokens at the gateway. */
export interface BearerConfig {
  readonly issuer: string
  /** Accepted `aud` values. */
  readonly audience: readonly string[]
  /** The issuer's JWKS endpoint, or a JWKS file (relative to the config file): exactly one. */
  readonly jwksUrl?: string
  readonly jwksFile?: string
  /** Allowed clock skew for `exp` and `nbf` (ms). Default: 60s */
  readonly clockTolerance: number
  /** Claims that name the user, first present wins. Default: upn, preferred_username, oid */
  readonly userClaims: readonly string[]
  /** How long fetched keys are trusted before a refetch (ms). Default: 10m */
  readonly jwksCacheMaxAge: number
}

/** Schema of `access:`. */
export const ACCESS_SCHEMA = {
  type: 'object',
  fields: {
    policy: { type: 'string' },
    cacheDir: { type: 'string' },
    watch: { type: 'boolean', default: true }
  }
} as const satisfies Schema

/** Schema of `auth:`. */
export const AUTH_SCHEMA = {
  type: 'object',
  fields: {
    bearer: {
      type: 'object',
      required: ['issuer', 'audience'],
      fields: {
        issuer: { type: 'string' },
        audience: { type: 'array', minItems: 1, items: { type: 'string' } },
        jwksUrl: { type: 'url', protocols: ['https', 'http'] },
        jwksFile: { type: 'string' },
        clockTolerance: { type: 'duration', default: 60_000 },
        userClaims: { type: 'array', minItems: 1, items: { type: 'string' } },
        jwksCacheMaxAge: { type: 'duration', min: 1000, default: 10 * 60_000 }
      }
    }
  }
} as const satisfies Schema

/** Default claims that name the user (Entra ID: upn for work accounts, then preferred_username, then oid). */
export const DEFAULT_USER_CLAIMS = ['upn', 'preferred_username', 'oid'] as const

/** Checks what the schema cannot say: exactly one of jwksUrl / jwksFile; fills userClaims. */
export function checkAuthConfig (value: unknown, positions: PositionMap, file: string): Diagnostic[] {
  const b = (value as { auth?: { bearer?: Record<string, unknown> } } | undefined)?.auth?.bearer
  if (b === undefined) return []
  if (b.userClaims === undefined) b.userClaims = [...DEFAULT_USER_CLAIMS]
  const n = (b.jwksUrl !== undefined ? 1 : 0) + (b.jwksFile !== undefined ? 1 : 0)
  if (n === 1) return []
  const path = ['auth', 'bearer']
  const { line, col } = positions.keyAt(path)
  return [{
    code: n === 0 ? 'GW0004' : 'GW0006',
    rule: n === 0 ? 'missing-key' : 'invalid-value',
    severity: 'error',
    file,
    line,
    col,
    path,
    message: n === 0 ? 'auth.bearer needs jwksUrl or jwksFile' : 'auth.bearer takes jwksUrl or jwksFile, not both'
  }]
}
