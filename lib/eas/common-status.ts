/**
 * Status values common to all commands (MS-ASCMD §2.2.2), carried in a command's own Status
 * element. Values above 100 are understood from protocol 14.0 on; older clients need an HTTP
 * status instead (PROTOCOL.md §4).
 */
export const COMMON_STATUS: ReadonlyMap<number, string> = new Map([
  [101, 'InvalidContent'], [102, 'InvalidWBXML'], [103, 'InvalidXML'], [104, 'InvalidDateTime'],
  [105, 'InvalidCombinationOfIDs'], [106, 'InvalidIDs'], [107, 'InvalidMIME'], [108, 'DeviceIdMissingOrInvalid'],
  [109, 'DeviceTypeMissingOrInvalid'], [110, 'ServerError'], [111, 'ServerErrorRetryLater'],
  [112, 'ActiveDirectoryAccessDenied'], [113, 'MailboxQuotaExceeded'], [114, 'MailboxServerOffline'],
  [115, 'SendQuotaExceeded'], [116, 'MessageRecipientUnresolved'], [117, 'MessageReplyNotAllowed'],
  [118, 'MessagePreviouslySent'], [119, 'MessageHasNoRecipient'], [120, 'MailSubmissionFailed'],
  [121, 'MessageReplyFailed'], [122, 'AttachmentIsTooLarge'], [123, 'UserHasNoMailbox'],
  [124, 'UserCannotBeAnonymous'], [125, 'UserPrincipalCouldNotBeFound'], [126, 'UserDisabledForSync'],
  [127, 'UserOnNewMailboxCannotSync'], [128, 'UserOnLegacyMailboxCannotSync'], [129, 'DeviceIsBlockedForThisUser'],
  [130, 'AccessDenied'], [131, 'AccountDisabled'], [132, 'SyncStateNotFound'], [133, 'SyncStateLocked'],
  [134, 'SyncStateCorrupt'], [135, 'SyncStateAlreadyExists'], [136, 'SyncStateVersionInvalid'],
  [137, 'CommandNotSupported'], [138, 'VersionNotSupported'], [139, 'DeviceNotFullyProvisionable'],
  [140, 'RemoteWipeRequested'], [141, 'LegacyDeviceOnStrictPolicy'], [142, 'DeviceNotProvisioned'],
  [143, 'PolicyRefresh'], [144, 'InvalidPolicyKey'], [145, 'ExternallyManagedDevicesNotAllowed'],
  [146, 'NoRecurrenceInCalendar'], [147, 'UnexpectedItemClass'], [148, 'RemoteServerHasNoSSL'],
  [149, 'InvalidStoredRequest'], [150, 'ItemNotFound'], [151, 'TooManyFolders'], [152, 'NoFoldersFound'],
  [153, 'ItemsLostAfterMove'], [154, 'FailureInMoveOperation'], [155, 'MoveCommandDisallowedForNonPersistentMoveAction'],
  [156, 'MoveCommandInvalidDestinationFolder'], [160, 'AvailabilityTooManyRecipients'],
  [161, 'AvailabilityDLLimitReached'], [162, 'AvailabilityTransientFailure'], [163, 'AvailabilityFailure'],
  [164, 'BodyPartPreferenceTypeNotSupported'], [165, 'DeviceInformationRequired'], [166, 'InvalidAccountId'],
  [167, 'AccountSendDisabled'], [168, 'IRM_FeatureDisabled'], [169, 'IRM_TransientError'],
  [170, 'IRM_PermanentError'], [171, 'IRM_InvalidTemplateID'], [172, 'IRM_OperationNotPermitted'],
  [173, 'NoPicture'], [174, 'PictureTooLarge'], [175, 'PictureLimitReached'],
  [176, 'BodyPart_ConversationTooLarge'], [177, 'MaximumDevicesReached']
])

/** True for a status value defined in MS-ASCMD §2.2.2 (101-156, 160-177). */
export function isCommonStatus (status: number): boolean {
  return COMMON_STATUS.has(status)
}
