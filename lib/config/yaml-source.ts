import { LineCounter, parseDocument, type Document } from 'yaml'
import type { Diagnostic } from './diagnostic.js'

/** A parsed YAML file with everything needed to point at its values. */
export interface YamlSource {
  readonly file: string
  readonly text: string
  readonly doc: Document.Parsed
  readonly lineCounter: LineCounter
}

/** Largest YAML file accepted (bytes): configs are small, and a huge file is a mistake or an attack. */
export const MAX_YAML_BYTES = 1024 * 1024

/**
 * Parses YAML text safely (size cap, alias cap, no custom tags). Syntax errors become `GW0001
 * yaml-syntax` diagnostics with yaml's own error code, never exceptions.
 */
export function parseYamlSource (text: string, file: string): { source: YamlSource, diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter()
  const diagnostics: Diagnostic[] = []
  if (text.length > MAX_YAML_BYTES) {
    diagnostics.push({
      code: 'GW0001',
      rule: 'yaml-syntax',
      severity: 'error',
      file,
      line: 1,
      col: 1,
      path: [],
      message: `file is larger than ${MAX_YAML_BYTES} bytes`
    })
    const empty = parseDocument('', { lineCounter })
    return { source: { file, text: '', doc: empty, lineCounter }, diagnostics }
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true })
  // One stray bracket makes yaml report a cascade of follow-on errors; the first is the one to
  // fix, so report it alone and say how many followed.
  const first = doc.errors[0]
  if (first !== undefined) {
    const [line, col] = positionOf(lineCounter, first.pos[0])
    const more = doc.errors.length - 1
    diagnostics.push({
      code: 'GW0001',
      rule: 'yaml-syntax',
      severity: 'error',
      file,
      line,
      col,
      path: [],
      message: `${first.message.split('\n')[0] ?? first.message} (${first.code})` + (more > 0 ? ` (and ${more} follow-on error${more === 1 ? '' : 's'})` : '')
    })
  }
  return { source: { file, text, doc, lineCounter }, diagnostics }
}

/** 1-based [line, col] of a character offset. */
export function positionOf (lc: LineCounter, offset: number): [number, number] {
  const p = lc.linePos(Math.max(0, offset))
  return [p.line, p.col]
}

/** 1-based [line, col] of the node at `path` in the document (keys and list indexes), if present. */
export function nodePosition (src: YamlSource, path: readonly (string | number)[]): [number, number] | undefined {
  const node = src.doc.getIn(path, true) as { range?: [number, number, number] } | undefined
  return node?.range === undefined ? undefined : positionOf(src.lineCounter, node.range[0])
}
