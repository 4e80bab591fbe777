import t from 'tap'
import { EAS_COMMANDS, encodeBlockedResponse } from '../../lib/eas/index.js'
import { toHex } from './vectors.js'

const S = '03 31 32 39 00 01' // STR_I "129", END of Status
// Expected bodies from the root/Status tokens of PROTOCOL.md §3.4 (MS-ASWBXML code pages).
const BODIES: Readonly<Record<string, string | null>> = {
  Sync: `45 4E ${S} 01`,
  FolderSync: `00 07 56 4C ${S} 01`,
  FolderCreate: `00 07 53 4C ${S} 01`,
  FolderDelete: `00 07 54 4C ${S} 01`,
  FolderUpdate: `00 07 55 4C ${S} 01`,
  Ping: `00 0D 45 47 ${S} 01`,
  Provision: `00 0E 45 4B ${S} 01`,
  Settings: `00 12 45 46 ${S} 01`,
  Search: `00 0F 45 4C ${S} 01`,
  ItemOperations: `00 14 45 4D ${S} 01`,
  SendMail: `00 15 45 52 ${S} 01`,
  SmartForward: `00 15 46 52 ${S} 01`,
  SmartReply: `00 15 47 52 ${S} 01`,
  ResolveRecipients: `00 0A 45 47 ${S} 01`,
  ValidateCert: `00 0B 45 4A ${S} 01`,
  GetItemEstimate: `00 06 45 4E ${S} 01`,
  MoveItems: `00 05 45 4B ${S} 01`,
  MeetingResponse: `00 08 47 4A 4B ${S} 01 01`,
  GetAttachment: null,
  Find: null,
  Autodiscover: null,
  GetHierarchy: null,
  CreateCollection: null,
  DeleteCollection: null,
  MoveCollection: null
}

t.test('each command gets its own root and Status token, or null', async (t) => {
  t.same(Object.keys(BODIES).sort(), [...EAS_COMMANDS].sort(), 'the table covers every known command')
  for (const [command, body] of Object.entries(BODIES)) {
    const out = encodeBlockedResponse(command, 129)
    t.equal(out === null ? null : toHex(out), body === null ? null : `03 01 6A 00 ${body}`, command)
  }
})

t.test('commands match case-insensitively; unknown commands get null', async (t) => {
  t.equal(toHex(encodeBlockedResponse('foldersync', 129) ?? new Uint8Array()), `03 01 6A 00 00 07 56 4C ${S} 01`)
  for (const command of ['Frobnicate', '', 'toString']) t.equal(encodeBlockedResponse(command, 129), null, command)
  t.equal(toHex(encodeBlockedResponse('Sync', 177) ?? new Uint8Array()), '03 01 6A 00 45 4E 03 31 37 37 00 01 01')
})

t.test('only common statuses are accepted', async (t) => {
  for (const status of [1, 2, 100, 157, 178, 129.5]) {
    t.throws(() => encodeBlockedResponse('Sync', status), { code: 'GW_ERR_EAS_INVALID_RESPONSE', message: /not a common status/ }, String(status))
  }
})
