/**
 * Loads the EAS test vectors: the copy in test/fixtures/wbxml/ first, so tests run without the
 * shared checkout (PROTOCOL.md §6; shared/eas/vectors/README.md describes the files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The fixture copy and the shared original. */
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/wbxml/', import.meta.url))
export const SHARED_DIR = fileURLToPath(new URL('../../../shared/eas/vectors/', import.meta.url))

/** Where the tests read vectors from: the copy when it exists. */
export const VECTOR_DIR = existsSync(FIXTURE_DIR) ? FIXTURE_DIR : SHARED_DIR

/** One vector: its name, body bytes and logical XML. */
export interface Vector { name: string, bytes: Uint8Array, xml: string }

/** Parses the vector hex format: uppercase pairs separated by single spaces. */
export function fromHex (hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'))
}

/** Formats bytes the way the vector files do, for readable failure messages. */
export function toHex (bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ')
}

/** Every vector in `dir`, sorted by name. */
export function loadVectors (dir = VECTOR_DIR): Vector[] {
  return readdirSync(dir).filter((f) => f.endsWith('.wbxml.hex')).sort().map((f) => {
    const name = f.slice(0, -'.wbxml.hex'.length)
    return { name, bytes: fromHex(readFileSync(dir + f, 'utf8')), xml: readFileSync(`${dir}${name}.xml`, 'utf8') }
  })
}

/** `expected.txt`: the hand-computed bytes by vector name. */
export function loadExpected (dir = VECTOR_DIR): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>()
  for (const line of readFileSync(dir + 'expected.txt', 'utf8').split('\n')) {
    if (line.startsWith('#') || !line.includes('|')) continue
    const [name, hex] = line.split('|') as [string, string]
    out.set(name, fromHex(hex))
  }
  return out
}
