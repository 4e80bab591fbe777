export { createIsoTime, createLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './create-logger.js'
export { createLogDestination, LOG_CLOCK, type LogClock, type LogDestination, type LogDestinationOptions, type LogWrite } from './create-log-destination.js'
export { createFdWrite } from './create-fd-write.js'
export { createLineWriter, type LineField, type LineWriter } from './create-line-writer.js'
