import type { Pass } from './index.js'

/** A query that could not be parsed (MS-ASHTTP §2.2.1.1.1) is answered 400 and never forwarded. */
export const rejectMalformedQuery: Pass = ({ request }) => {
  const err = request.ctx.queryError
  if (err === undefined) return undefined
  return { status: 400, reason: 'bad_query', outcome: 'refused_malformed', code: err.code, headers: { connection: 'close' } }
}
