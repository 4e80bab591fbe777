/**
 * Fuzz test of the decoder: random bytes, mutated valid bodies, and random limits. The only
 * acceptable outcomes are a tree that re-encodes canonically, or a WbxmlError with a
 * GW_ERR_WBXML_* code and an offset inside the input. Seeded: set EAS_FUZZ_SEED to replay a run
 * and EAS_FUZZ_CASES to run longer.
 */
import t from 'tap'
import { CODE_PAGES, decodeWbxml, encodeWbxml, WbxmlError, type WbxmlLimits } from '../../../lib/eas/index.js'
import { Rng, randomTree, SAFE_ALPHABET } from '../random-tree.js'
import { loadVectors } from '../vectors.js'

const SEED = Number(process.env.EAS_FUZZ_SEED ?? 0xfa22_0001)
const CASES = Number(process.env.EAS_FUZZ_CASES ?? 120_000)
const HEADER = [0x03, 0x01, 0x6a, 0x00]
const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x40, 0x43, 0x45, 0x7f, 0x80, 0x83, 0x8f, 0xc3, 0xc4, 0xc5, 0xff]

t.test(`decoder fuzz: ${CASES} cases, seed ${SEED}`, async (t) => {
  const rng = new Rng(SEED)
  const corpus = loadVectors().map((v) => v.bytes).filter((b) => b.length > 0)
  for (let i = 0; i < 200; i++) {
    corpus.push(encodeWbxml(randomTree(rng, {
      pages: CODE_PAGES.map((p) => p.page),
      maxDepth: 6,
      maxChildren: 4,
      alphabet: SAFE_ALPHABET,
      leaf: (r) => r.pick(['text', 'opaque', 'empty'] as const)
    })))
  }
  const codes: Record<string, number> = {}
  const failures: string[] = []
  let decoded = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < CASES; i++) {
    const kind = i % 10
    const input = kind < 3 ? randomBytes(rng) : mutate(rng, rng.pick(corpus), corpus)
    const limits: Partial<WbxmlLimits> | undefined = kind === 9
      ? { maxDepth: 1 + rng.int(6), maxNodes: 1 + rng.int(20), maxStringBytes: 1 + rng.int(16), maxOpaqueBytes: 1 + rng.int(16) }
      : undefined
    const problem = check(input, limits)
    if (problem === 'decoded') decoded++
    else if (problem.startsWith('GW_ERR_WBXML_')) codes[problem] = (codes[problem] ?? 0) + 1
    else if (failures.length < 5) failures.push(`case ${i} (seed ${SEED}) ${Buffer.from(input).toString('hex')}: ${problem}`)
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  t.same(failures, [], 'only trees or typed errors')
  t.comment(`${CASES} cases in ${seconds.toFixed(2)} s: ${decoded} decoded, errors ${JSON.stringify(codes)}`)
  t.ok(decoded > CASES / 100, `a share of mutated inputs still decodes (${decoded})`)
  const reached = ['TRUNCATED', 'BAD_HEADER', 'BAD_MB_UINT32', 'UNKNOWN_PAGE', 'UNKNOWN_TOKEN', 'UNSUPPORTED_TOKEN',
    'TOO_DEEP', 'TOO_MANY_NODES', 'TOO_LONG', 'BAD_UTF8', 'TRAILING_DATA', 'INVALID']
  for (const code of reached) t.ok((codes[`GW_ERR_WBXML_${code}`] ?? 0) > 0, `reached GW_ERR_WBXML_${code}`)
  t.ok(seconds < 20, `bounded time: ${seconds.toFixed(2)} s`)
})

t.test('generated trees round-trip exactly (20000 trees)', async (t) => {
  const rng = new Rng(SEED + 1)
  let mismatches = 0
  for (let i = 0; i < 20_000; i++) {
    const tree = randomTree(rng, {
      pages: CODE_PAGES.map((p) => p.page),
      maxDepth: 5,
      maxChildren: 3,
      alphabet: [...SAFE_ALPHABET, '\t', '\n', '\uFEFF'],
      leaf: (r) => r.pick(['text', 'opaque', 'empty'] as const)
    })
    const bytes = encodeWbxml(tree)
    const back = decodeWbxml(bytes)
    if (JSON.stringify(back, replacer) !== JSON.stringify(tree, replacer) || !equal(encodeWbxml(back), bytes)) mismatches++
  }
  t.equal(mismatches, 0)
})

/** 'decoded', a GW_ERR_WBXML_* code, or a description of what went wrong. */
function check (input: Uint8Array, limits: Partial<WbxmlLimits> | undefined): string {
  let tree
  try {
    tree = decodeWbxml(input, limits)
  } catch (err) {
    if (!(err instanceof WbxmlError)) return `not a WbxmlError: ${String(err)}`
    if (!err.code.startsWith('GW_ERR_WBXML_')) return `code ${err.code}`
    if (!Number.isInteger(err.offset) || err.offset < 0 || err.offset > input.length) return `offset ${err.offset} outside 0..${input.length}`
    return err.code
  }
  try {
    // Canonical re-encoding only drops redundant SWITCH_PAGEs and empty content flags.
    const canonical = encodeWbxml(tree, limits)
    if (canonical.length > input.length) return `re-encoding grew from ${input.length} to ${canonical.length} bytes`
    if (!equal(encodeWbxml(decodeWbxml(canonical, limits), limits), canonical)) return 're-encoding is not stable'
  } catch (err) {
    return `decoded tree does not re-encode: ${String(err)}`
  }
  return 'decoded'
}

function randomBytes (rng: Rng): Uint8Array {
  const body = Array.from(rng.bytes(rng.int(40)))
  const prefix = rng.next() < 0.5 ? [...HEADER, ...(rng.next() < 0.5 ? [0x00, rng.int(26)] : [])] : []
  return Uint8Array.from([...prefix, ...body])
}

function mutate (rng: Rng, original: Uint8Array, corpus: readonly Uint8Array[]): Uint8Array {
  const b = Array.from(original)
  for (let m = 1 + rng.int(4); m > 0; m--) {
    // Mostly mutate the body: a broken header hides everything behind it.
    const at = rng.next() < 0.85 && b.length > 4 ? 4 + rng.int(b.length - 3) : rng.int(b.length + 1)
    switch (rng.int(7)) {
      case 0: b[at] = (b[at] ?? 0) ^ (1 << rng.int(8)); break
      case 1: b[at] = rng.pick(INTERESTING); break
      case 2: b.splice(at, 0, rng.next() < 0.5 ? rng.int(256) : rng.pick(INTERESTING)); break
      case 3: b.splice(at, 1 + rng.int(3)); break
      case 4: b.length = Math.min(b.length, at); break
      case 5: b.splice(at, 0, ...b.slice(rng.int(b.length), rng.int(b.length) + 1)); break
      default: b.splice(at, 0, ...Array.from(rng.pick(corpus)).slice(4 + rng.int(8))); break
    }
  }
  return Uint8Array.from(b)
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function replacer (_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value
}
