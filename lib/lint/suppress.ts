import type { Diagnostic } from '../config/index.js'

const PRAGMA = /#\s*gateway-lint\s+(global\s+)?ignore=([\w,-]+)/

/** Suppressions found in one file: file-wide codes, and codes per suppressed line. */
export interface Pragmas { readonly global: ReadonlySet<string>, readonly lines: ReadonlyMap<number, ReadonlySet<string>> }

/**
 * Reads `# gateway-lint ignore=GW0102,GW0107 reason` comments. On a line of its own, a pragma
 * covers the next key and everything nested under it (by indentation); at the end of a line, that
 * line's key and what is nested under it. `# gateway-lint global ignore=…` covers the whole file.
 * Codes and rule names are both accepted.
 */
export function findPragmas (text: string): Pragmas {
  const lines = text.split(/\r?\n/)
  const global = new Set<string>()
  const byLine = new Map<number, Set<string>>()
  lines.forEach((line, i) => {
    const m = PRAGMA.exec(line)
    if (m === null) return
    const codes = (m[2] ?? '').split(',').filter((c) => c !== '')
    if (m[1] !== undefined) { codes.forEach((c) => global.add(c)); return }
    const ownLine = line.trimStart().startsWith('#')
    const target = ownLine ? nextContentLine(lines, i + 1) : i
    if (target === undefined) return
    for (const n of nestedRange(lines, target)) {
      const set = byLine.get(n + 1) ?? new Set<string>()
      codes.forEach((c) => set.add(c))
      byLine.set(n + 1, set)
    }
  })
  return { global, lines: byLine }
}

/** Splits findings into kept and suppressed by pragmas (per file) and `--ignore` codes. */
export function applySuppressions (
  findings: readonly Diagnostic[], texts: ReadonlyMap<string, string>, opts: { readonly ignore?: readonly string[], readonly disablePragmas?: boolean } = {}
): { kept: Diagnostic[], suppressed: Diagnostic[] } {
  const pragmas = new Map<string, Pragmas>()
  const kept: Diagnostic[] = []
  const suppressed: Diagnostic[] = []
  const ignore = new Set(opts.ignore ?? [])
  for (const d of findings) {
    let p = pragmas.get(d.file)
    if (p === undefined && opts.disablePragmas !== true) {
      p = findPragmas(texts.get(d.file) ?? '')
      pragmas.set(d.file, p)
    }
    const hit = (set: ReadonlySet<string> | undefined): boolean => set !== undefined && (set.has(d.code) || set.has(d.rule))
    if (hit(ignore) || (p !== undefined && (hit(p.global) || hit(p.lines.get(d.line))))) suppressed.push(d)
    else kept.push(d)
  }
  return { kept, suppressed }
}

function nextContentLine (lines: readonly string[], from: number): number | undefined {
  for (let i = from; i < lines.length; i++) {
    const t = (lines[i] ?? '').trim()
    if (t !== '' && !t.startsWith('#')) return i
  }
  return undefined
}

/** The target line and the following lines indented deeper (its nested block). */
function nestedRange (lines: readonly string[], target: number): number[] {
  const indent = (l: string): number => l.length - l.trimStart().length
  const base = indent(lines[target] ?? '')
  const out = [target]
  for (let i = target + 1; i < lines.length; i++) {
    const l = lines[i] ?? ''
    const t = l.trim()
    if (t === '' || t.startsWith('#')) continue
    if (indent(l) <= base) break
    out.push(i)
  }
  return out
}

/** Where `--ignore` codes come from when a finding about them has no file: `<command line>:1:N`. */
export const COMMAND_LINE = '<command line>'

/**
 * GW0011 findings for codes in `# gateway-lint ignore=` comments that name no rule, each at the
 * code's own line and column. `isKnown` decides (codes and rule names, see findRule).
 */
export function findUnknownPragmaCodes (text: string, file: string, isKnown: (code: string) => boolean, suggest: (code: string) => string | undefined = () => undefined): Diagnostic[] {
  const out: Diagnostic[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    const m = PRAGMA.exec(line)
    if (m === null) return
    let at = m.index + m[0].length - (m[2] ?? '').length
    for (const code of (m[2] ?? '').split(',')) {
      if (code !== '' && !isKnown(code)) out.push(unknownCode(code, file, i + 1, at + 1, [], suggest(code)))
      at += code.length + 1
    }
  })
  return out
}

/** A GW0011 finding: `code` names no rule. */
export function unknownCode (code: string, file: string, line: number, col: number, path: readonly (string | number)[], near?: string): Diagnostic {
  return {
    code: 'GW0011',
    rule: 'unknown-rule-code',
    severity: 'error',
    file,
    line,
    col,
    path,
    message: `"${code}" is not a rule code or name: this suppression suppresses nothing${near !== undefined ? ` (did you mean "${near}"?)` : ''}`,
    hint: 'Use a code or rule name from `gateway lint --list-rules`.'
  }
}
