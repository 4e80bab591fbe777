import type { CodePageSource } from './code-page.js'

/**
 * Code page 9, Tasks (MS-ASWBXML §2.1.2.1.10; names as in MS-ASTASK). 0x10-0x1A are the
 * Recurrence children; 0x05-0x07 and 0x21 CompressedRTF are 2.5 only.
 */
export const TASKS_CODE_PAGE: CodePageSource = {
  page: 9,
  namespace: 'Tasks',
  tokens: {
    0x05: 'Body',
    0x06: 'BodySize',
    0x07: 'BodyTruncated',
    0x08: 'Categories',
    0x09: 'Category',
    0x0a: 'Complete',
    0x0b: 'DateCompleted',
    0x0c: 'DueDate',
    0x0d: 'UtcDueDate',
    0x0e: 'Importance',
    0x0f: 'Recurrence',
    0x10: 'Type',
    0x11: 'Start',
    0x12: 'Until',
    0x13: 'Occurrences',
    0x14: 'Interval',
    0x15: 'DayOfMonth',
    0x16: 'DayOfWeek',
    0x17: 'WeekOfMonth',
    0x18: 'MonthOfYear',
    0x19: 'Regenerate',
    0x1a: 'DeadOccur',
    0x1b: 'ReminderSet',
    0x1c: 'ReminderTime',
    0x1d: 'Sensitivity',
    0x1e: 'StartDate',
    0x1f: 'UtcStartDate',
    0x20: 'Subject',
    0x21: 'CompressedRTF',
    0x22: 'OrdinalDate',
    0x23: 'SubOrdinalDate',
    0x24: 'CalendarType',
    0x25: 'IsLeapMonth',
    0x26: 'FirstDayOfWeek'
  }
}
