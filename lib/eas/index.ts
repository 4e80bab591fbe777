/**
 * Pure ActiveSync protocol library: request query decoding (MS-ASHTTP), the command vocabulary,
 * the WBXML codec with all code pages (MS-ASWBXML), Ping parsing and response builders (MS-ASCMD).
 * No I/O, no logging, no module state.
 */
export { parseEasQuery } from './parse-eas-query.js'
export { MAX_QUERY_LENGTH, type EasQuery, type EasQueryForm } from './eas-query.js'
export { COMMAND_CODES, EAS_COMMANDS, commandFromCode, normalizeCommand, type KnownCommand } from './normalize-command.js'
export { COMMON_STATUS, isCommonStatus } from './common-status.js'
export { parsePingRequest, type PingFolder, type PingFolderClass, type PingRequest } from './parse-ping-request.js'
export { encodePingResponse, type PingResponse } from './encode-ping-response.js'
export { parsePingResponse, type PingAnswer } from './parse-ping-response.js'
export { encodeBlockedResponse } from './encode-blocked-response.js'
export * from './wbxml/index.js'
