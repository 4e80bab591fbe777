import type { Balancing } from '../catalog-types.js'
import type { Diagnostic } from '../diagnostic.js'

/** A place in a vendor config file (1-based). */
export interface VendorLocation { readonly file: string, readonly line: number, readonly col: number }

/** One directive's value as the vendor wrote it, with where its name and value stand. */
export interface VendorValue { readonly raw: string, readonly key: VendorLocation, readonly at: VendorLocation }

/** What a reader found for one hop: the settings in force on the matched path and where they are. */
export interface VendorHop {
  /** Values by directive name (`proxy_read_timeout`, `timeout client`), inheritance applied. */
  readonly values: ReadonlyMap<string, VendorValue>
  /** The block that serves the path: where a setting the file leaves unset is reported. */
  readonly block: VendorLocation
  /** Where a particular unset setting belongs, when not in `block` (HAProxy: `timeout server` in the backend). */
  readonly missingAt?: ReadonlyMap<string, VendorLocation>
  /** How the block was found, for messages: `server mail.example.com › location /Microsoft-Server-ActiveSync`. */
  readonly described: string
  /** Hop options the file states, with where (balancing method, HAProxy option abortonclose). */
  readonly balancing?: { readonly value: Balancing, readonly at: VendorLocation }
  readonly abortOnClose?: { readonly value: boolean, readonly at: VendorLocation }
  /** The hop closes the device connection after a 401 (HAProxy: `http-response set-header Connection close if { status 401 }`). */
  readonly closeOn401?: { readonly value: boolean, readonly at: VendorLocation }
}

/** A reader's answer: the hop (absent when the file is unusable or nothing serves the path), the files read, findings. */
export interface VendorRead {
  readonly hop?: VendorHop
  /** Every file read (the config and its includes), for `# gateway-lint ignore=` comments. */
  readonly texts: ReadonlyMap<string, string>
  readonly diagnostics: readonly Diagnostic[]
}

/** What a reader may touch: files (relative paths are resolved by the reader), folder listings for include globs. */
export interface VendorIo {
  readonly readFile: (path: string) => Promise<string>
  /** Names in a folder; absent: include globs match nothing. */
  readonly listFiles?: (dir: string) => Promise<string[]>
}

/** The EAS path devices use (MS-ASHTTP §2.2.1.1.1), matched when a hop does not name its own. */
export const EAS_PATH = '/Microsoft-Server-ActiveSync'

/** GW0012: the vendor file cannot be read as its format. */
export function syntaxError (at: VendorLocation, message: string): Diagnostic {
  return { code: 'GW0012', rule: 'config-syntax', severity: 'error', file: at.file, line: at.line, col: at.col, path: [], message }
}

/** GW0013: nothing in the vendor file serves the path. */
export function noBlock (at: VendorLocation, message: string): Diagnostic {
  return { code: 'GW0013', rule: 'no-matching-block', severity: 'error', file: at.file, line: at.line, col: at.col, path: [], message }
}

/** GW0010 for an include that cannot be read, at the include directive. */
export function unreadableInclude (at: VendorLocation, name: string, err: unknown): Diagnostic {
  const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
  return { code: 'GW0010', rule: 'unreadable-file', severity: 'error', file: at.file, line: at.line, col: at.col, path: [], message: `cannot read ${name}: ${why}` }
}

/** `match` as `{ host?, path }`: `/path`, `host`, or `host/path`; the EAS path by default. */
export function splitMatch (match: string | undefined): { host?: string, path: string } {
  const m = match ?? EAS_PATH
  if (m.startsWith('/')) return { path: m }
  const slash = m.indexOf('/')
  return slash < 0 ? { host: m, path: EAS_PATH } : { host: m.slice(0, slash), path: m.slice(slash) }
}
