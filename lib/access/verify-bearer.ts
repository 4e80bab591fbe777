import { createLocalJWKSet, createRemoteJWKSet, customFetch, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import type { BearerConfig } from '../config/index.js'
import { GatewayError } from '../errors.js'

/** Why a token was refused: a bounded set (a metric label and the access log's `reason`). */
export type BearerRefusal =
  | 'malformed' | 'expired' | 'not_yet_valid' | 'bad_signature' | 'unknown_key' | 'bad_algorithm'
  | 'wrong_issuer' | 'wrong_audience' | 'no_user_claim' | 'keys_unavailable'

/** The result of verifying one token. */
export type BearerResult =
  | {
    readonly ok: true
    /** The user a rule sees: the first of `userClaims` present (upn, preferred_username, oid). */
    readonly user: string
    /**
     * A stable identity across token rotation (issuer + oid, else sub): two Pings with the same
     * identity are the same device owner, so the newer one may supersede the older.
     */
    readonly identity: string
    /** Epoch ms when the token expires, when it says. */
    readonly expiresAt?: number
  }
  | { readonly ok: false, readonly reason: BearerRefusal, readonly error: GatewayError }

/** A verifier of OAuth Bearer tokens against one issuer's keys. */
export interface BearerVerifier {
  verify (token: string): Promise<BearerResult>
  /** Replaces the keys of a `jwksFile` verifier (the file was re-read). */
  setKeys (jwks: JSONWebKeySet): void
}

/** Dependencies. `jwks` is required with `jwksFile` (the caller reads the file). */
export interface BearerVerifierOptions {
  readonly config: BearerConfig
  readonly jwks?: JSONWebKeySet
  /** Epoch ms: `exp` and `nbf` are checked against it. */
  readonly now: () => number
  /** fetch for the JWKS URL (tests pin it to loopback). Default: the global fetch */
  readonly fetch?: typeof fetch
  /** Least time between two JWKS fetches triggered by an unknown key id (ms). Default: 30s */
  readonly refetchCooldown?: number
}

/**
 * Asymmetric signatures only. HS* would let anyone holding a shared secret mint tokens and is the
 * classic algorithm-confusion hole; `none` is never accepted by jose.
 */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']

/**
 * Builds a Bearer verifier with jose: signature against the issuer's JWKS (fetched from
 * `jwksUrl` and cached for `jwksCacheMaxAge`, refetched at once, after a 30 s cooldown, when a
 * token names a key id the cache lacks: key rotation), then `exp`/`nbf` with `clockTolerance`,
 * `iss` and `aud`. Never throws: every failure is a refusal with its reason.
 */
export function createBearerVerifier (opts: BearerVerifierOptions): BearerVerifier {
  const c = opts.config
  let keys: JWTVerifyGetKey
  if (c.jwksUrl !== undefined) {
    keys = createRemoteJWKSet(new URL(c.jwksUrl), {
      cacheMaxAge: c.jwksCacheMaxAge,
      cooldownDuration: opts.refetchCooldown ?? 30_000,
      timeoutDuration: 5_000,
      ...(opts.fetch !== undefined ? { [customFetch]: opts.fetch } : {})
    })
  } else {
    keys = createLocalJWKSet(opts.jwks ?? { keys: [] })
  }
  return {
    setKeys (jwks) { keys = createLocalJWKSet(jwks) },
    async verify (token) {
      let payload: JWTPayload
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: c.issuer,
          audience: [...c.audience],
          algorithms: ALGORITHMS,
          clockTolerance: Math.round(c.clockTolerance / 1000),
          currentDate: new Date(opts.now())
        }))
      } catch (err) {
        return refuse(refusalOf(err), err)
      }
      const user = c.userClaims.map((k) => payload[k]).find((v): v is string => typeof v === 'string' && v !== '')
      if (user === undefined) return refuse('no_user_claim', undefined, `none of ${c.userClaims.join(', ')} in the token`)
      const who = typeof payload.oid === 'string' ? payload.oid : payload.sub ?? user
      return { ok: true, user, identity: `${payload.iss ?? c.issuer}\u0000${who}`, ...(payload.exp !== undefined ? { expiresAt: payload.exp * 1000 } : {}) }
    }
  }
}

function refuse (reason: BearerRefusal, cause: unknown, detail: string = reason): BearerResult {
  const code = reason === 'keys_unavailable' ? 'GW_ERR_POLICY_KEYS_UNAVAILABLE' : 'GW_ERR_POLICY_TOKEN_INVALID'
  return { ok: false, reason, error: new GatewayError(code, detail, { cause }) }
}

/** Maps jose's error codes (never its messages) to a refusal reason. */
function refusalOf (err: unknown): BearerRefusal {
  const e = err as { code?: string, claim?: string }
  switch (e.code) {
    case 'ERR_JWT_EXPIRED': return 'expired'
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return e.claim === 'nbf' || e.claim === 'iat' ? 'not_yet_valid' : e.claim === 'iss' ? 'wrong_issuer' : e.claim === 'aud' ? 'wrong_audience' : 'malformed'
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return 'bad_signature'
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS': return 'unknown_key'
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED': return 'bad_algorithm'
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID': return 'keys_unavailable'
    case 'ERR_JOSE_GENERIC': return 'keys_unavailable'
    // Not a JOSE error: fetching the keys failed (refused, DNS, TLS), so nothing could be checked.
    default: return e.code?.startsWith('ERR_J') === true ? 'malformed' : 'keys_unavailable'
  }
}

/** The token of an `Authorization: Bearer …` header, or undefined (RFC 6750 §2.1). */
export function bearerToken (authorization: string | undefined): string | undefined {
  const m = authorization === undefined ? null : /^bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization)
  return m?.[1]
}
