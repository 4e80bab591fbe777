/** Resource limits of the WBXML decoder; every one is checked before memory is spent on it. */
export interface WbxmlLimits {
  /** Deepest element nesting; the root is depth 1. Default: 32 */
  readonly maxDepth: number
  /** Most nodes (elements, strings and opaque blocks together). Default: 65536 */
  readonly maxNodes: number
  /** Longest inline string in bytes, without its NUL. Default: 1 MiB */
  readonly maxStringBytes: number
  /** Longest OPAQUE block in bytes. Default: 16 MiB */
  readonly maxOpaqueBytes: number
}

/**
 * Defaults sized for ActiveSync: the deepest real bodies (Sync with ApplicationData and
 * AirSyncBase Body, Provision with EASProvisionDoc) nest fewer than 12 levels.
 */
export const DEFAULT_WBXML_LIMITS: WbxmlLimits = Object.freeze({
  maxDepth: 32,
  maxNodes: 65_536,
  maxStringBytes: 1024 * 1024,
  maxOpaqueBytes: 16 * 1024 * 1024
})

/** Fills unset limits with the defaults; rejects limits that are not positive integers. */
export function resolveLimits (limits: Partial<WbxmlLimits> | undefined): WbxmlLimits {
  const merged = { ...DEFAULT_WBXML_LIMITS, ...limits }
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`WBXML limit ${name} must be a positive integer, got ${String(value)}`)
  }
  return merged
}
