import { readdir } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'

/** `-` on the command line: the topology comes on standard input. */
export const STDIN = '-'

const GLOB_CHARS = /[*?[]/
/** Folders a `**` never descends into: nobody keeps topologies in them, and they are large. */
const SKIPPED = new Set(['node_modules', '.git'])

/**
 * Expands command-line operands: a plain path stays as it is (a missing file is reported when it
 * is read), `-` stays for stdin, a glob (`*`, `?`, `[…]`, `**` for any depth) becomes the files
 * it matches, sorted; hidden entries match only a segment that starts with a dot. Node 20 has no
 * fs.glob, and these four forms are all a CI job needs. Returns the pattern matching nothing as
 * an error.
 */
export async function expandFiles (operands: readonly string[], cwd: string): Promise<{ files: string[] } | { error: string }> {
  const files: string[] = []
  for (const op of operands) {
    if (op === STDIN || !GLOB_CHARS.test(op)) { files.push(op); continue }
    const hits = await expandGlob(op, cwd)
    if (hits.length === 0) return { error: `no file matches ${op}` }
    files.push(...hits)
  }
  return { files: [...new Set(files)] }
}

async function expandGlob (pattern: string, cwd: string): Promise<string[]> {
  const parts = pattern.split('/')
  const first = parts.findIndex((p) => GLOB_CHARS.test(p))
  const prefix = parts.slice(0, first).join('/')
  const out: string[] = []
  await walk(prefix === '' && isAbsolute(pattern) ? '/' : prefix, parts.slice(first), cwd, out)
  return out.sort()
}

async function walk (dir: string, rest: readonly string[], cwd: string, out: string[]): Promise<void> {
  const [seg, ...tail] = rest
  if (seg === undefined) return
  let entries
  try {
    entries = await readdir(isAbsolute(dir) ? dir : join(cwd, dir), { withFileTypes: true })
  } catch {
    return // an unreadable folder matches nothing
  }
  const path = (name: string): string => dir === '' ? name : dir.endsWith('/') ? dir + name : `${dir}/${name}`
  if (seg === '**') {
    await walk(dir, tail, cwd, out) // zero folders
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name)) await walk(path(e.name), rest, cwd, out)
    }
    return
  }
  const re = segmentRegExp(seg)
  for (const e of entries) {
    if (!re.test(e.name) || (e.name.startsWith('.') && !seg.startsWith('.'))) continue
    if (tail.length === 0) { if (e.isFile()) out.push(path(e.name)) } else if (e.isDirectory()) await walk(path(e.name), tail, cwd, out)
  }
}

function segmentRegExp (seg: string): RegExp {
  let re = ''
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1)
      if (end < 0) { re += '\\['; continue }
      re += '[' + seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']'
      i = end
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}
