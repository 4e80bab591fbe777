import t from 'tap'
import { COMMAND_CODES, commandFromCode, EAS_COMMANDS, normalizeCommand } from '../../lib/eas/index.js'

t.test('every known command normalizes to itself, in any case', async (t) => {
  t.equal(EAS_COMMANDS.length, 25)
  for (const c of EAS_COMMANDS) {
    t.equal(normalizeCommand(c), c)
    t.equal(normalizeCommand(c.toLowerCase()), c)
    t.equal(normalizeCommand(c.toUpperCase()), c)
  }
})

t.test('anything else is "other", so metric labels stay bounded', async (t) => {
  for (const name of [undefined, '', 'Frobnicate', 'Ping ', 'Pings', '__proto__', 'constructor', 'toString', 'Sync\0']) {
    t.equal(normalizeCommand(name), 'other', String(name))
  }
})

t.test('command codes follow MS-ASHTTP §2.2.1.1.1.1.2', async (t) => {
  const expected: Record<number, string> = {
    0: 'Sync',
    1: 'SendMail',
    2: 'SmartForward',
    3: 'SmartReply',
    4: 'GetAttachment',
    9: 'FolderSync',
    10: 'FolderCreate',
    11: 'FolderDelete',
    12: 'FolderUpdate',
    13: 'MoveItems',
    14: 'GetItemEstimate',
    15: 'MeetingResponse',
    16: 'Search',
    17: 'Settings',
    18: 'Ping',
    19: 'ItemOperations',
    20: 'Provision',
    21: 'ResolveRecipients',
    22: 'ValidateCert',
    23: 'Find'
  }
  t.same(Object.fromEntries(COMMAND_CODES), expected)
  for (let code = -1; code <= 256; code++) t.equal(commandFromCode(code), expected[code], `code ${code}`)
  for (const name of COMMAND_CODES.values()) t.ok((EAS_COMMANDS as readonly string[]).includes(name))
})
