/**
 * Seeded randomness for the differential and fuzz tests: a small PRNG (mulberry32) so every
 * failure reproduces from its seed, and a generator of random valid ActiveSync WBXML trees.
 */
import { CODE_PAGES, wbxmlElement, wbxmlOpaque, wbxmlText, type WbxmlElement, type WbxmlNode } from '../../lib/eas/index.js'

/** Deterministic PRNG; `next()` is uniform in [0, 1). */
export class Rng {
  #state: number

  constructor (seed: number) {
    this.#state = seed >>> 0
  }

  next (): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [0, n). */
  int (n: number): number {
    return Math.floor(this.next() * n)
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  bytes (n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.int(256)
    return out
  }
}

/** Tags of each page as [token, name] pairs. */
const TAGS = CODE_PAGES.map((p) => p.tagByToken.flatMap((name, token) => name === undefined ? [] : [[token, name] as const]))

/** How a generated leaf carries its data. */
export type LeafKind = 'text' | 'opaque' | 'empty'

export interface TreeOptions {
  /** Code pages to draw tags from. */
  readonly pages: readonly number[]
  readonly maxDepth: number
  readonly maxChildren: number
  /** Chooses the content of a leaf element. */
  readonly leaf: (rng: Rng, page: number, token: number) => LeafKind
  /** Characters for text; text never starts or ends with a space. */
  readonly alphabet: readonly string[]
  /** `page:token` pairs never to generate. */
  readonly exclude?: ReadonlySet<string>
}

/** Text for libwbxml round trips: XML specials and multi-byte UTF-8, spaces only inside. */
export const SAFE_ALPHABET: readonly string[] = [...'abcxyzABCXYZ0129-_.:@/&<>"\'', 'é', 'ß', '日本', '€', '😀', ' ']

/** A random valid tree; children stay on the parent's page 70 % of the time, like real bodies. */
export function randomTree (rng: Rng, options: TreeOptions): WbxmlElement {
  return element(rng, options, rng.pick(options.pages), 1)
}

function element (rng: Rng, o: TreeOptions, parentPage: number, depth: number): WbxmlElement {
  const page = rng.next() < 0.7 ? parentPage : rng.pick(o.pages)
  const tags = o.exclude === undefined ? TAGS[page] ?? [] : (TAGS[page] ?? []).filter(([tok]) => !(o.exclude as ReadonlySet<string>).has(`${page}:${tok}`))
  const [token, tag] = rng.pick(tags)
  const namespace = CODE_PAGES[page]?.namespace ?? 'AirSync'
  if (depth < o.maxDepth && rng.next() < 0.5) {
    const children: WbxmlNode[] = []
    const n = 1 + rng.int(o.maxChildren)
    for (let i = 0; i < n; i++) children.push(element(rng, o, page, depth + 1))
    return wbxmlElement(namespace, tag, children)
  }
  const kind = o.leaf(rng, page, token)
  if (kind === 'empty') return wbxmlElement(namespace, tag)
  if (kind === 'opaque') return wbxmlElement(namespace, tag, [wbxmlOpaque(rng.bytes(1 + rng.int(24)))])
  return wbxmlElement(namespace, tag, [wbxmlText(randomText(rng, o.alphabet))])
}

function randomText (rng: Rng, alphabet: readonly string[]): string {
  const n = 1 + rng.int(12)
  let s = ''
  for (let i = 0; i < n; i++) s += rng.pick(alphabet)
  s = s.trim()
  return s === '' ? 'x' : s
}
