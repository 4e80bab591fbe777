import { createRequire } from 'node:module'

type Http2 = typeof import('node:http2')
let loaded: Http2 | undefined

/**
 * `node:http2`, loaded when the first upstream with `http2` is built, never at start-up: with it
 * imported statically, gateways without any HTTP/2 upstream had twice the p99 (c=8: 11 ms vs 5 ms,
 * paired runs on the bench machine, 2026-12-04; CPU per request unchanged).
 */
export function loadHttp2 (): Http2 {
  loaded ??= createRequire(import.meta.url)('node:http2') as Http2
  return loaded
}
