import { BALANCING_METHODS } from './catalog-types.js'
import type { Schema } from './schema.js'

const text = { type: 'string' } as const
const confidence = { type: 'string', enum: ['confirmed', 'secondary', 'unconfirmed'] } as const
const bound = {
  type: 'object',
  required: ['value', 'source', 'confidence'],
  fields: { value: { type: 'any' }, setting: text, source: text, confidence, note: text }
} as const satisfies Schema

const setting = {
  type: 'object',
  required: ['default', 'max', 'semantics', 'refreshedByKeepalive', 'appliesToPing', 'source', 'confidence'],
  fields: {
    default: { type: 'any' },
    max: { type: 'any' },
    min: { type: 'any' },
    overrideMax: { type: 'any' },
    unit: { type: 'string', enum: ['ms', 's', 'm', 'h'] },
    off: { type: 'array', items: { type: 'any' } },
    choices: { type: 'object', fields: {}, additional: { type: 'any' } },
    aliases: { type: 'array', items: text },
    semantics: { type: 'string', enum: ['idle', 'response', 'lifetime', 'connect', 'keepalive'] },
    refreshedByKeepalive: { type: 'boolean' },
    appliesToPing: { type: 'boolean' },
    source: text,
    confidence,
    note: text
  }
} as const satisfies Schema

const kind = {
  type: 'object',
  required: ['title', 'layer', 'terminatesTcp', 'settings'],
  fields: {
    title: text,
    layer: { type: 'string', enum: ['l4', 'l7'] },
    terminatesTcp: { type: 'boolean' },
    balancing: { type: 'string', enum: BALANCING_METHODS },
    abortOnClose: { type: 'boolean' },
    note: text,
    settings: { type: 'object', fields: {}, additional: setting }
  }
} as const satisfies Schema

const server = {
  type: 'object',
  required: ['title', 'minHeartbeat', 'maxHeartbeat'],
  fields: { title: text, minHeartbeat: bound, maxHeartbeat: bound }
} as const satisfies Schema

/** Layout of a catalog file; every entry is complete. */
export const CATALOG_SCHEMA = {
  type: 'object',
  required: ['kinds'],
  fields: {
    version: { type: 'integer', min: 1, max: 1 },
    servers: { type: 'object', fields: {}, additional: server },
    kinds: { type: 'object', fields: {}, additional: kind }
  }
} as const satisfies Schema

/**
 * The same layout with nothing required: a user's catalog may override single fields of shipped
 * entries. New entries are checked for completeness after the merge.
 */
export const CATALOG_OVERRIDE_SCHEMA: Schema = withoutRequired(CATALOG_SCHEMA)

/** Required fields of a new setting, kind or server (for the completeness check). */
export const REQUIRED = {
  setting: setting.required,
  kind: kind.required,
  server: server.required,
  bound: bound.required
} as const

function withoutRequired (s: Schema): Schema {
  switch (s.type) {
    case 'object': {
      const fields = Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, withoutRequired(v)]))
      return { type: 'object', fields, ...(s.additional !== undefined ? { additional: withoutRequired(s.additional) } : {}) }
    }
    case 'array': return { type: 'array', items: withoutRequired(s.items) }
    default: return s
  }
}
