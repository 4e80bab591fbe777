/**
 * Differential test against libwbxml (Debian libwbxml2-utils, PROTOCOL.md §3.5 and §8): random
 * valid trees over all 25 code pages are encoded by us and decoded by `wbxml2xml`, and written as
 * XML, encoded by `xml2wbxml -a -n` and decoded by us. Trees are compared on (page, token, bytes).
 */
import t from 'tap'
import {
  CODE_PAGES, codePageByNamespace, decodeWbxml, encodeWbxml, wbxmlOpaque, type WbxmlElement
} from '../../../lib/eas/index.js'
import { escapeXml, findLibwbxml, Libwbxml, parseXml, xmlToTokens, type TokenElement, type Vocabulary } from '../../helpers/libwbxml.js'
import { Rng, randomTree, SAFE_ALPHABET, type TreeOptions } from '../random-tree.js'
import { loadVectors, toHex } from '../vectors.js'

const CASES = 150
const SEED = 0x1b_3b_0001
const tools = findLibwbxml()
const ci = process.env.CI !== undefined && process.env.CI !== ''
// MeetingResponse ProposedStartTime/ProposedEndTime (16.0) and Provision AccountOnlyRemoteWipe (16.1).
const LIBWBXML_LACKS: ReadonlySet<string> = new Set(['8:16', '8:17', '14:59'])
const MISSING = 'libwbxml2-utils is not installed (xml2wbxml/wbxml2xml not on PATH): apt-get install libwbxml2-utils'

if (tools === undefined) {
  if (ci) t.fail(`CI is set, so the differential test must run: ${MISSING}`)
  else t.plan(0, `skipped: ${MISSING}`)
} else {
  const lib = new Libwbxml(tools)
  t.teardown(() => lib.close())
  const vocab = lib.vocabulary()
  const options: TreeOptions = {
    pages: CODE_PAGES.map((p) => p.page),
    maxDepth: 5,
    maxChildren: 4,
    alphabet: SAFE_ALPHABET,
    exclude: LIBWBXML_LACKS,
    // libwbxml prints tags it types as binary in base64 and other OPAQUE raw (PROTOCOL.md §8.7).
    leaf: (rng, page, token) => vocab.binary.has(`${page}:${token}`) ? 'opaque' : rng.next() < 0.15 ? 'empty' : 'text'
  }

  t.test('both sides know the same (page, token) pairs, except three newer tokens', async (t) => {
    const ours = new Set(CODE_PAGES.flatMap((p) => [...p.tokenByTag.values()].map((tok) => `${p.page}:${tok}`)))
    const theirs = new Set(vocab.nameOf.flatMap((names, page) => [...names.keys()].map((tok) => `${page}:${tok}`)))
    t.same([...ours].filter((k) => !theirs.has(k)), [...LIBWBXML_LACKS])
    t.same([...theirs].filter((k) => !ours.has(k)), [])
    t.equal(vocab.namespaceOfPage[16], 'Gal:', 'libwbxml spells the GAL namespace "Gal:"')
  })

  t.test('the vectors decode the same in libwbxml', async (t) => {
    for (const v of loadVectors()) {
      if (v.bytes.length === 0) continue
      t.same(xmlToTokens(parseXml(lib.decode(v.bytes)), vocab), ourTokens(decodeWbxml(v.bytes)), v.name)
    }
  })

  t.test(`our encoding decodes identically in wbxml2xml (${CASES} trees, seed ${SEED})`, async (t) => {
    const rng = new Rng(SEED)
    for (let i = 0; i < CASES; i++) {
      const tree = randomTree(rng, options)
      const bytes = encodeWbxml(tree)
      t.same(xmlToTokens(parseXml(lib.decode(bytes)), vocab), ourTokens(tree), `case ${i}: ${toHex(bytes).slice(0, 60)}`)
    }
  })

  t.test(`xml2wbxml output decodes to the same tree and matches our bytes (${CASES} trees, seed ${SEED + 1})`, async (t) => {
    const rng = new Rng(SEED + 1)
    for (let i = 0; i < CASES; i++) {
      const tree = withDataQuirk(randomTree(rng, options), vocab)
      const theirs = lib.encode(toXml(tree, vocab, ''))
      t.same(decodeWbxml(theirs), tree, `case ${i}: tree`)
      t.equal(toHex(encodeWbxml(tree)), toHex(theirs), `case ${i}: bytes`)
    }
  })
}

/** Our tree at token level; text and opaque both become hex of their bytes. */
function ourTokens (el: WbxmlElement): TokenElement {
  const page = codePageByNamespace(el.namespace)
  const out: TokenElement = {
    page: page?.page ?? -1,
    token: page?.tokenByTag.get(el.tag) ?? -1,
    children: el.children.flatMap((c) => c.type === 'element' ? [ourTokens(c)] : [])
  }
  const bytes = el.children.map((c) => c.type === 'text' ? Buffer.from(c.text).toString('hex') : c.type === 'opaque' ? Buffer.from(c.data).toString('hex') : '').join('')
  if (bytes !== '') out.bytes = bytes
  return out
}

/** libwbxml's XML for a tree: its tag names, a default xmlns wherever the page changes. */
function toXml (el: WbxmlElement, v: Vocabulary, parentNs: string): string {
  const page = codePageByNamespace(el.namespace)?.page ?? -1
  const name = v.nameOf[page]?.get(codePageByNamespace(el.namespace)?.tokenByTag.get(el.tag) ?? -1) ?? '?'
  const ns = v.namespaceOfPage[page] ?? '?'
  const open = `${name}${ns === parentNs ? '' : ` xmlns="${ns}"`}`
  if (el.children.length === 0) return `<${open}/>`
  const body = el.children.map((c) => c.type === 'element' ? toXml(c, v, ns) : c.type === 'text' ? escapeXml(c.text) : Buffer.from(c.data).toString('base64')).join('')
  return `<${open}>${body}</${name}>`
}

/** libwbxml writes `Data` under a grandparent `Add`/`Replace` as OPAQUE (PROTOCOL.md §8.1): expect that. */
function withDataQuirk (el: WbxmlElement, v: Vocabulary, ancestors: string[] = []): WbxmlElement {
  const name = (x: WbxmlElement): string | undefined => {
    const page = codePageByNamespace(x.namespace)
    return page === undefined ? undefined : v.nameOf[page.page]?.get(page.tokenByTag.get(x.tag) ?? -1)
  }
  const mine = name(el) ?? ''
  const quirk = mine === 'Data' && ['Add', 'Replace'].includes(ancestors.at(-2) ?? '')
  const children = el.children.map((c) => {
    if (c.type === 'element') return withDataQuirk(c, v, [...ancestors, mine])
    if (quirk && c.type === 'text') return wbxmlOpaque(Uint8Array.from(Buffer.from(c.text)))
    return c
  })
  return { ...el, children }
}
