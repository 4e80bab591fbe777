import t from 'tap'
import { CODE_PAGES, codePageByNamespace, codePageByNumber, isEasNamespace } from '../../../../lib/eas/index.js'
import { buildCodePage } from '../../../../lib/eas/wbxml/codepages/code-page.js'

// PROTOCOL.md §3.4 / MS-ASWBXML §2.1.2.1: page number → namespace.
const NAMESPACES = [
  'AirSync', 'Contacts', 'Email', 'AirNotify', 'Calendar', 'Move', 'GetItemEstimate', 'FolderHierarchy',
  'MeetingResponse', 'Tasks', 'ResolveRecipients', 'ValidateCert', 'Contacts2', 'Ping', 'Provision', 'Search',
  'GAL', 'AirSyncBase', 'Settings', 'DocumentLibrary', 'ItemOperations', 'ComposeMail', 'Email2', 'Notes',
  'RightsManagement'
]

t.test('pages 0..24 exist in order with their namespaces, and nothing else', async (t) => {
  t.same(CODE_PAGES.map((p) => p.namespace), NAMESPACES)
  CODE_PAGES.forEach((p, i) => {
    t.equal(p.page, i)
    t.equal(codePageByNumber(i), p)
    t.equal(codePageByNamespace(p.namespace), p)
    t.ok(isEasNamespace(p.namespace))
    t.equal(p.tagByToken.length, 64)
    t.same(p.tagByToken.slice(0, 5), [undefined, undefined, undefined, undefined, undefined], 'no tag on a global token')
    t.equal(p.tokenByTag.size, p.tagByToken.filter((x) => x !== undefined).length, `page ${i}: names unique`)
  })
  t.equal(codePageByNumber(25), undefined)
  t.equal(codePageByNumber(-1), undefined)
  t.equal(codePageByNamespace('Find'), undefined)
  t.notOk(isEasNamespace('ping'))
  t.notOk(isEasNamespace('toString'))
})

/** Reads `page:token=Name` pairs. */
function tokens (spec: string): Array<[number, number, string]> {
  return spec.trim().split(/\s+/).map((item) => {
    const [at, name] = item.split('=') as [string, string]
    const [page, token] = at.split(':').map((x) => parseInt(x, 16)) as [number, number]
    return [page, token, name]
  })
}

t.test('the full tables PROTOCOL.md §3.4 lists match (Ping, FolderHierarchy, Settings)', async (t) => {
  const ping = '0D:05=Ping 0D:06=AutdState 0D:07=Status 0D:08=HeartbeatInterval 0D:09=Folders 0D:0A=Folder 0D:0B=Id 0D:0C=Class 0D:0D=MaxFolders'
  const fh = `07:05=Folders 07:06=Folder 07:07=DisplayName 07:08=ServerId 07:09=ParentId 07:0A=Type 07:0B=Response
    07:0C=Status 07:0D=ContentClass 07:0E=Changes 07:0F=Add 07:10=Delete 07:11=Update 07:12=SyncKey 07:13=FolderCreate
    07:14=FolderDelete 07:15=FolderUpdate 07:16=FolderSync 07:17=Count 07:18=Version`
  const settings = `12:05=Settings 12:06=Status 12:07=Get 12:08=Set 12:09=Oof 12:0A=OofState 12:0B=StartTime 12:0C=EndTime
    12:0D=OofMessage 12:0E=AppliesToInternal 12:0F=AppliesToExternalKnown 12:10=AppliesToExternalUnknown 12:11=Enabled
    12:12=ReplyMessage 12:13=BodyType 12:14=DevicePassword 12:15=Password 12:16=DeviceInformation 12:17=Model 12:18=IMEI
    12:19=FriendlyName 12:1A=OS 12:1B=OSLanguage 12:1C=PhoneNumber 12:1D=UserInformation 12:1E=EmailAddresses
    12:1F=SMTPAddress 12:20=UserAgent 12:21=EnableOutboundSMS 12:22=MobileOperator 12:23=PrimarySmtpAddress
    12:24=Accounts 12:25=Account 12:26=AccountId 12:27=AccountName 12:28=UserDisplayName 12:29=SendDisabled
    12:2B=RightsManagementInformation`
  for (const spec of [ping, fh, settings]) {
    const list = tokens(spec)
    const page = CODE_PAGES[list[0]?.[0] ?? -1]
    t.same(page?.tagByToken.flatMap((n, tok) => n === undefined ? [] : [[page.page, tok, n]]), list, String(page?.namespace))
  }
})

t.test('spot checks on AirSync, Provision and the root/Status tokens of PROTOCOL.md §3.4', async (t) => {
  const spec = `00:05=Sync 00:0E=Status 00:1C=Collections 00:24=Wait 00:29=HeartbeatInterval 0E:05=Provision
    0E:0B=Status 0E:10=RequireStorageCardEncryption 0E:3A=Hash 0E:3B=AccountOnlyRemoteWipe 0F:05=Search 0F:0C=Status
    14:05=ItemOperations 14:0D=Status 15:05=SendMail 15:06=SmartForward 15:07=SmartReply 15:12=Status
    0A:05=ResolveRecipients 0A:07=Status 0B:05=ValidateCert 0B:0A=Status 06:05=GetItemEstimate 06:0E=Status
    05:05=MoveItems 05:0B=Status 08:07=MeetingResponse 08:0A=Result 08:0B=Status 11:0A=Body 11:1F=Content 16:09=ConversationId`
  for (const [page, token, name] of tokens(spec)) {
    t.equal(CODE_PAGES[page]?.tagByToken[token], name, `${page}:${token.toString(16)}`)
    t.equal(CODE_PAGES[page]?.tokenByTag.get(name), token)
  }
})

t.test('buildCodePage rejects tokens out of range and duplicate names', async (t) => {
  t.throws(() => buildCodePage({ page: 9, namespace: 'Tasks', tokens: { 0x04: 'X' } }), RangeError)
  t.throws(() => buildCodePage({ page: 9, namespace: 'Tasks', tokens: { 0x40: 'X' } }), RangeError)
  t.throws(() => buildCodePage({ page: 9, namespace: 'Tasks', tokens: { 0x05: 'X', 0x06: 'X' } }), /duplicate tag X/)
})
