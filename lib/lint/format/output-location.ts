import { createHash } from 'node:crypto'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Diagnostic } from '../../config/index.js'

/** Where machine formats place files: paths relative to `base`, the docs to link rules to. */
export interface OutputOptions {
  /** Absolute directory that URIs are relative to (`--base`; the CLI passes the working directory). */
  readonly base?: string
  /** Absolute directory that findings' relative file names are relative to. Default: `base` */
  readonly cwd?: string
  /** The README (an http(s) or file: URL) that rule help links to: `<docsUrl>#gw0103-…`. */
  readonly docsUrl?: string
}

/**
 * A finding's file as a repository-relative path (`/`-separated) when it lies under `base`, or
 * `undefined` when it cannot be (outside `base`, or not a file: `<stdin>`, `<command line>`).
 * Without `base`, relative names are kept as given and absolute ones are outside.
 */
export function relativePath (file: string, opts: OutputOptions): string | undefined {
  if (file.startsWith('<')) return undefined
  if (opts.base === undefined) return isAbsolute(file) ? undefined : file.replace(/\\/g, '/').replace(/^\.\//, '')
  const rel = relative(opts.base, resolve(opts.cwd ?? opts.base, file))
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined
  return rel.split(sep).join('/')
}

/** A file's URI: a relative reference under `base`, else a file: URL of its absolute path. */
export function fileUri (file: string, opts: OutputOptions): { uri: string, relative: boolean } {
  const rel = relativePath(file, opts)
  if (rel !== undefined) return { uri: encodeURI(rel), relative: true }
  if (file.startsWith('<')) return { uri: encodeURIComponent(file), relative: true }
  return { uri: pathToFileURL(resolve(opts.cwd ?? opts.base ?? '/', file)).href, relative: false }
}

/**
 * A fingerprint that survives edits elsewhere in the file: rule, file and the finding's path in the
 * document (not its line), so code scanning and GitLab keep one alert per problem across commits.
 */
export function fingerprint (d: Diagnostic, opts: OutputOptions): string {
  const where = relativePath(d.file, opts) ?? d.file
  return createHash('sha256').update([d.code, where, JSON.stringify(d.path), d.path.length === 0 ? `${d.line}:${d.col}` : ''].join('\u0000')).digest('hex').slice(0, 32)
}

/** The README anchor of a rule's section (`#### GW0103 hop-timeout-not-above-heartbeat`). */
export function ruleAnchor (code: string, id: string): string {
  return `${code.toLowerCase()}-${id}`
}
