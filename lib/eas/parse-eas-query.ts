import { badQuery, MAX_QUERY_LENGTH, type EasQuery } from './eas-query.js'
import { parseBase64Query } from './parse-base64-query.js'
import { isPlainParameterName, parsePlainQuery } from './parse-plain-query.js'

/**
 * Parses the query string of an ActiveSync request URI, in either form (MS-ASHTTP §2.2.1.1.1).
 * `rawQueryString` is the part after `?` (a single leading `?` is tolerated). The form is
 * detected structurally: a `&`, an `=` followed by anything but more `=` (base64 padding), or a
 * known parameter name before the first `=` (`Cmd=`) means plain text (MS-ASHTTP
 * §2.2.1.1.1.2); anything else must be base64 (§2.2.1.1.1.1).
 * Throws GatewayError GW_ERR_EAS_BAD_QUERY, with a message naming the defect, for any malformed
 * input; never anything else.
 */
export function parseEasQuery (rawQueryString: string): EasQuery {
  const query = rawQueryString.startsWith('?') ? rawQueryString.slice(1) : rawQueryString
  if (query.length === 0) throw badQuery('empty query')
  if (query.length > MAX_QUERY_LENGTH) throw badQuery(`query longer than ${MAX_QUERY_LENGTH} characters`)
  return isPlainForm(query) ? parsePlainQuery(query) : parseBase64Query(query)
}

function isPlainForm (query: string): boolean {
  if (query.includes('&')) return true
  const eq = query.indexOf('=')
  return eq !== -1 && (/[^=]/.test(query.slice(eq)) || isPlainParameterName(query.slice(0, eq)))
}
