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
      code: 'GW0001', rule: 'yaml-syntax', severity: 'error', file, line: 1, col: 1, path: [],
      message: `file is larger than ${MAX_YAML_BYTES} bytes`
    })
    const empty = parseDocument('', { lineCounter })
    return { source: { file, text: '', doc: empty, lineCounter }, diagnostics }
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true })
  for (const err of doc.errors) {
    const [line, col] = positionOf(lineCounter, err.pos[0])
    diagnostics.push({
      code: 'GW0001', rule: 'yaml-syntax', severity: 'error', file, line, col, path: [],
      message: `${err.message.split('\n')[0] ?? err.message} (${err.code})`
    })
  }
  return { source: { file, text, doc, lineCounter }, diagnostics }
}

/** 1-based [line, col] of a character offset. */
export function positionOf (lc: LineCounter, offset: number): [number, number] {
  const p = lc.linePos(Math.max(0, offset))
  return [p.line, p.col]
}
