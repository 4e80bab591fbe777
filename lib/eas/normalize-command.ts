/**
 * The ActiveSync command vocabulary: every MS-ASCMD §2.2.1 command, the four legacy
 * plain-text-only commands, and the base64 command codes of MS-ASHTTP §2.2.1.1.1.1.2.
 */

/** Every command name the gateway recognizes, in MS-ASCMD spelling. */
export const EAS_COMMANDS = [
  'Autodiscover', 'Find', 'FolderCreate', 'FolderDelete', 'FolderSync', 'FolderUpdate', 'GetAttachment',
  'GetItemEstimate', 'ItemOperations', 'MeetingResponse', 'MoveItems', 'Ping', 'Provision',
  'ResolveRecipients', 'Search', 'SendMail', 'Settings', 'SmartForward', 'SmartReply', 'Sync', 'ValidateCert',
  // Legacy 2.x commands, still listed in Exchange 2010's MS-ASProtocolCommands (MS-ASHTTP §2.2.4.1.2.1).
  'GetHierarchy', 'CreateCollection', 'DeleteCollection', 'MoveCollection'
] as const

/** A recognized command; a bounded set, safe as a metric label. */
export type KnownCommand = typeof EAS_COMMANDS[number]

/** Base64-query command codes (MS-ASHTTP §2.2.1.1.1.1.2). Codes 5-8 are unassigned; 23 Find is 16.1. */
export const COMMAND_CODES: ReadonlyMap<number, KnownCommand> = new Map<number, KnownCommand>([
  [0, 'Sync'], [1, 'SendMail'], [2, 'SmartForward'], [3, 'SmartReply'], [4, 'GetAttachment'],
  [9, 'FolderSync'], [10, 'FolderCreate'], [11, 'FolderDelete'], [12, 'FolderUpdate'], [13, 'MoveItems'],
  [14, 'GetItemEstimate'], [15, 'MeetingResponse'], [16, 'Search'], [17, 'Settings'], [18, 'Ping'],
  [19, 'ItemOperations'], [20, 'Provision'], [21, 'ResolveRecipients'], [22, 'ValidateCert'], [23, 'Find']
])

const BY_LOWER_NAME: ReadonlyMap<string, KnownCommand> = new Map(EAS_COMMANDS.map((c) => [c.toLowerCase(), c]))

/** The command of a base64-query command code, or undefined for an unassigned code. */
export function commandFromCode (code: number): KnownCommand | undefined {
  return COMMAND_CODES.get(code)
}

/**
 * Maps a command name, compared case-insensitively, to its MS-ASCMD spelling, or to `'other'`.
 * Use the result as the metric label `command`: it never carries client-chosen text.
 */
export function normalizeCommand (name: string | undefined): KnownCommand | 'other' {
  return (name === undefined ? undefined : BY_LOWER_NAME.get(name.toLowerCase())) ?? 'other'
}
