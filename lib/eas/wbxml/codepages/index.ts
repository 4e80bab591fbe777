/**
 * All ActiveSync WBXML code pages 0..24 (MS-ASWBXML §2.1.2.1), built once into frozen lookup
 * tables. Page 25 (Find, 16.1) is not included: its table could not be confirmed.
 */
import { AIR_NOTIFY_CODE_PAGE } from './air-notify.js'
import { AIR_SYNC_BASE_CODE_PAGE } from './air-sync-base.js'
import { AIR_SYNC_CODE_PAGE } from './air-sync.js'
import { CALENDAR_CODE_PAGE } from './calendar.js'
import { buildCodePage, type CodePage, type EasNamespace } from './code-page.js'
import { COMPOSE_MAIL_CODE_PAGE } from './compose-mail.js'
import { CONTACTS_CODE_PAGE } from './contacts.js'
import { CONTACTS2_CODE_PAGE } from './contacts2.js'
import { DOCUMENT_LIBRARY_CODE_PAGE } from './document-library.js'
import { EMAIL_CODE_PAGE } from './email.js'
import { EMAIL2_CODE_PAGE } from './email2.js'
import { FOLDER_HIERARCHY_CODE_PAGE } from './folder-hierarchy.js'
import { GAL_CODE_PAGE } from './gal.js'
import { GET_ITEM_ESTIMATE_CODE_PAGE } from './get-item-estimate.js'
import { ITEM_OPERATIONS_CODE_PAGE } from './item-operations.js'
import { MEETING_RESPONSE_CODE_PAGE } from './meeting-response.js'
import { MOVE_CODE_PAGE } from './move.js'
import { NOTES_CODE_PAGE } from './notes.js'
import { PING_CODE_PAGE } from './ping.js'
import { PROVISION_CODE_PAGE } from './provision.js'
import { RESOLVE_RECIPIENTS_CODE_PAGE } from './resolve-recipients.js'
import { RIGHTS_MANAGEMENT_CODE_PAGE } from './rights-management.js'
import { SEARCH_CODE_PAGE } from './search.js'
import { SETTINGS_CODE_PAGE } from './settings.js'
import { TASKS_CODE_PAGE } from './tasks.js'
import { VALIDATE_CERT_CODE_PAGE } from './validate-cert.js'

export type { CodePage, CodePageSource, EasNamespace } from './code-page.js'
export { MIN_TAG_TOKEN, MAX_TAG_TOKEN } from './code-page.js'

/** Every code page, indexed by page number (CODE_PAGES[13] is Ping). */
export const CODE_PAGES: readonly CodePage[] = Object.freeze([
  AIR_SYNC_CODE_PAGE, CONTACTS_CODE_PAGE, EMAIL_CODE_PAGE, AIR_NOTIFY_CODE_PAGE, CALENDAR_CODE_PAGE,
  MOVE_CODE_PAGE, GET_ITEM_ESTIMATE_CODE_PAGE, FOLDER_HIERARCHY_CODE_PAGE, MEETING_RESPONSE_CODE_PAGE,
  TASKS_CODE_PAGE, RESOLVE_RECIPIENTS_CODE_PAGE, VALIDATE_CERT_CODE_PAGE, CONTACTS2_CODE_PAGE,
  PING_CODE_PAGE, PROVISION_CODE_PAGE, SEARCH_CODE_PAGE, GAL_CODE_PAGE, AIR_SYNC_BASE_CODE_PAGE,
  SETTINGS_CODE_PAGE, DOCUMENT_LIBRARY_CODE_PAGE, ITEM_OPERATIONS_CODE_PAGE, COMPOSE_MAIL_CODE_PAGE,
  EMAIL2_CODE_PAGE, NOTES_CODE_PAGE, RIGHTS_MANAGEMENT_CODE_PAGE
].map(buildCodePage))

const BY_NAMESPACE: ReadonlyMap<string, CodePage> = new Map(CODE_PAGES.map((p) => [p.namespace, p]))

/** The code page with this number, or undefined for a page ActiveSync does not define. */
export function codePageByNumber (page: number): CodePage | undefined {
  return CODE_PAGES[page]
}

/** The code page of a namespace, or undefined for a name that is not an ActiveSync namespace. */
export function codePageByNamespace (namespace: string): CodePage | undefined {
  return BY_NAMESPACE.get(namespace)
}

/** True when `namespace` is one of the 25 ActiveSync namespaces. */
export function isEasNamespace (namespace: string): namespace is EasNamespace {
  return BY_NAMESPACE.has(namespace)
}
