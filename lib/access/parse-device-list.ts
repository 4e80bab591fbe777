/** Most DeviceIds one list may hold. */
export const MAX_LIST_ENTRIES = 1_000_000

/** JSON properties that hold the array in an object-shaped export (`value`: Microsoft Graph). */
const ARRAY_KEYS = ['devices', 'value', 'items', 'data']

/**
 * Reads an MDM export into a set of DeviceIds (lowercase: DeviceIds compare case-insensitively).
 * JSON: an array of strings, an array of objects with `field`, or an object whose `devices`,
 * `value`, `items` or `data` is such an array. CSV: a header row naming `field` (any case), one
 * device per row, RFC 4180 quoting. Entries that are empty or not text are skipped.
 */
export function parseDeviceList (text: string, format: 'json' | 'csv', field: string): { entries: Set<string> } | { error: string } {
  const ids = format === 'json' ? fromJson(text, field) : fromCsv(text, field)
  if ('error' in ids) return ids
  if (ids.length > MAX_LIST_ENTRIES) return { error: `more than ${MAX_LIST_ENTRIES} entries` }
  return { entries: new Set(ids.map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) }
}

function fromJson (text: string, field: string): string[] | { error: string } {
  let doc: unknown
  try { doc = JSON.parse(text) } catch (err) { return { error: `not JSON: ${(err as Error).message}` } }
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const key = ARRAY_KEYS.find((k) => Array.isArray((doc as Record<string, unknown>)[k]))
    if (key === undefined) return { error: `a JSON object needs an array under ${ARRAY_KEYS.join(', ')}` }
    doc = (doc as Record<string, unknown>)[key]
  }
  if (!Array.isArray(doc)) return { error: 'JSON list must be an array' }
  const lower = field.toLowerCase()
  return doc.flatMap((e: unknown) => {
    if (typeof e === 'string') return [e]
    if (e === null || typeof e !== 'object') return []
    const k = Object.keys(e).find((x) => x.toLowerCase() === lower)
    const v = k === undefined ? undefined : (e as Record<string, unknown>)[k]
    return typeof v === 'string' ? [v] : []
  })
}

function fromCsv (text: string, field: string): string[] | { error: string } {
  const rows = csvRows(text.replace(/^\uFEFF/, ''))
  const header = rows.shift()
  const col = header?.findIndex((h) => h.trim().toLowerCase() === field.toLowerCase()) ?? -1
  if (col < 0) return { error: `CSV header has no "${field}" column` }
  return rows.map((r) => r[col] ?? '')
}

/** RFC 4180 rows: commas, CRLF or LF, double quotes with "" for a quote. */
function csvRows (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(cell); cell = '' } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cell); cell = ''
      if (row.some((x) => x !== '')) rows.push(row)
      row = []
    } else cell += c
  }
  row.push(cell)
  if (row.some((x) => x !== '')) rows.push(row)
  return rows
}
