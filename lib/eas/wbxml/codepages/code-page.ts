/**
 * The shape of one ActiveSync WBXML code page (MS-ASWBXML §2.1.2.1). Each page is data only: a
 * namespace name and a token → tag-name table. Token values are the low six bits of a tag byte
 * (0x05..0x3F); bit 0x40 (content) is added by the codec, never stored here.
 */

/** The 25 ActiveSync namespaces, spelled as in the MS-ASCMD XML (`xmlns="AirSync"`). */
export type EasNamespace =
  | 'AirSync' | 'Contacts' | 'Email' | 'AirNotify' | 'Calendar' | 'Move' | 'GetItemEstimate'
  | 'FolderHierarchy' | 'MeetingResponse' | 'Tasks' | 'ResolveRecipients' | 'ValidateCert'
  | 'Contacts2' | 'Ping' | 'Provision' | 'Search' | 'GAL' | 'AirSyncBase' | 'Settings'
  | 'DocumentLibrary' | 'ItemOperations' | 'ComposeMail' | 'Email2' | 'Notes' | 'RightsManagement'

/** One code page as written in the per-page files. */
export interface CodePageSource {
  readonly page: number
  readonly namespace: EasNamespace
  /** token (0x05..0x3F) → MS-ASWBXML tag name */
  readonly tokens: Readonly<Record<number, string>>
}

/** A code page with both lookup directions built. */
export interface CodePage {
  readonly page: number
  readonly namespace: EasNamespace
  /** Indexed by token 0..63; undefined where the page defines no tag. */
  readonly tagByToken: readonly (string | undefined)[]
  readonly tokenByTag: ReadonlyMap<string, number>
}

/** First and last tag token a page may define: 0x00-0x04 are global tokens (WBXML 1.3 §7.1). */
export const MIN_TAG_TOKEN = 0x05
export const MAX_TAG_TOKEN = 0x3f

/** Builds the lookup tables of a page; throws on a token out of range or a duplicate name. */
export function buildCodePage (source: CodePageSource): CodePage {
  const tagByToken: (string | undefined)[] = new Array<string | undefined>(MAX_TAG_TOKEN + 1).fill(undefined)
  const tokenByTag = new Map<string, number>()
  for (const [key, tag] of Object.entries(source.tokens)) {
    const token = Number(key)
    if (!Number.isInteger(token) || token < MIN_TAG_TOKEN || token > MAX_TAG_TOKEN) {
      throw new RangeError(`code page ${source.page}: token ${key} out of range`)
    }
    if (tokenByTag.has(tag)) throw new RangeError(`code page ${source.page}: duplicate tag ${tag}`)
    tagByToken[token] = tag
    tokenByTag.set(tag, token)
  }
  return Object.freeze({ page: source.page, namespace: source.namespace, tagByToken: Object.freeze(tagByToken), tokenByTag })
}
