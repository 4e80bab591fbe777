import type { Pass } from './index.js'

/** A query that could not be parsed (MS-ASHTTP §2.2.1.1.1) is answered 400 and never forwarded. */
export const rejectMalformedQuery: Pass = ({ pr }) => {
  if (pr.ctx.queryError === undefined) return undefined
  pr.errorCode = pr.ctx.queryError.code
  return { status: 400, reason: 'bad_query', headers: { connection: 'close' } }
}
