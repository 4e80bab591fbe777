import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CliIo } from '../../lib/cli/io.js'
import { loadCatalog, type Catalog } from '../../lib/config/index.js'
import { lintTopology, type LintResult } from '../../lib/lint/index.js'

/** The repository root (tests run from anywhere). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The shipped catalog, loaded once per test file. */
export function shippedCatalog (): Catalog {
  const file = join(ROOT, 'policies', 'timeouts-catalog.yaml')
  const loaded = loadCatalog(readFileSync(file, 'utf8'), file)
  if (loaded.catalog === undefined) throw new Error(`shipped catalog invalid: ${JSON.stringify(loaded.diagnostics[0])}`)
  return loaded.catalog
}

const CATALOG = shippedCatalog()

/** Lints topology text named `topology.yaml`; `files` are the other files it may refer to. */
export async function lintText (text: string, files: Record<string, string> = {}, opts: { ignore?: string[], disablePragmas?: boolean } = {}): Promise<LintResult> {
  return await lintTopology({
    file: 'topology.yaml',
    text,
    catalog: CATALOG,
    readFile: async (p) => {
      const f = files[p]
      if (f === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' })
      return f
    },
    ...opts
  })
}

/** 1-based column of `needle` on `line` of `text`: where a finding must point. */
export function colOf (text: string, line: number, needle: string): number {
  const i = (text.split('\n')[line - 1] ?? '').indexOf(needle)
  if (i < 0) throw new Error(`"${needle}" not on line ${line}: ${text.split('\n')[line - 1] ?? ''}`)
  return i + 1
}

/** 1-based line of the first line containing `needle`. */
export function lineOf (text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle))
  if (i < 0) throw new Error(`"${needle}" not in text`)
  return i + 1
}

/** In-memory CLI io: virtual files first (relative to the repo root), then the real disk. */
export function memoryIo (files: Record<string, string> = {}, env: Record<string, string> = {}): CliIo & { out: () => string, err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: (s) => { out += s },
    stderr: (s) => { err += s },
    readFile: async (p) => {
      const rel = p.startsWith(ROOT + '/') ? p.slice(ROOT.length + 1) : p
      const f = files[rel]
      return f !== undefined ? f : await readFile(p, 'utf8')
    },
    cwd: ROOT,
    env,
    out: () => out,
    err: () => err
  }
}
