import type { Rule } from '../types.js'

/** Below this many streams per connection, HTTP/2 still costs a connection per few held Pings. */
const FEW_STREAMS = 10

/**
 * GW0207: with `upstreams[].http2` a held Ping is a stream, and a connection carries as many as
 * the server allows (`maxStreamsPerConnection`, the server's SETTINGS_MAX_CONCURRENT_STREAMS:
 * nginx `http2_max_concurrent_streams`, default 128). A limit of a few streams brings back a
 * connection per few Pings: `limits.maxHeldPings` ÷ the limit connections to the server. That
 * setting and `http2For` do nothing without `http2`.
 */
export const rule: Rule = {
  code: 'GW0207',
  id: 'http2-stream-limit-saves-little',
  severity: 'warning',
  description: 'An HTTP/2 upstream should allow enough streams per connection for HTTP/2 to save connections.',
  hint: 'Raise the server\'s stream limit (nginx: http2_max_concurrent_streams, default 128) and upstreams[].maxStreamsPerConnection with it, to 100 or more; or leave maxStreamsPerConnection out to take the server\'s.',
  messages: {
    few: 'upstream "{name}" speaks HTTP/2 with at most {streams} streams per connection: {pings} held Pings take up to {connections} connections to it, and HTTP/2 saves little over one connection per Ping',
    noHttp2: 'upstream "{name}" sets {key} without http2: true; it has no effect on HTTP/1.1'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const pings = g.config.limits.maxHeldPings
      g.config.upstreams.forEach((u, i) => {
        const at = (key: string): { in: { file: string, positions: typeof g.positions }, path: (string | number)[], atKey: boolean } =>
          ({ in: { file: g.source.file, positions: g.positions }, path: ['upstreams', i, key], atKey: false })
        if (!u.http2) {
          for (const key of ['http2For', 'maxStreamsPerConnection'] as const) {
            if (u[key] !== undefined) ctx.report({ ...at(key), messageId: 'noHttp2', data: { name: u.name, key } })
          }
          return
        }
        const streams = u.maxStreamsPerConnection
        if (streams !== undefined && streams < FEW_STREAMS) {
          const held = pings > 0 ? pings : 10_000
          ctx.report({ ...at('maxStreamsPerConnection'), messageId: 'few', data: { name: u.name, streams, pings: pings > 0 ? held : `${held} (limits.maxHeldPings is off; assumed)`, connections: Math.ceil(held / streams) } })
        }
      })
    }
  }
}
