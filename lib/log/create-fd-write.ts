import { fstatSync, write as fsWrite } from 'node:fs'
import { Socket } from 'node:net'
import type { LogWrite } from './create-log-destination.js'

/**
 * A {@link LogWrite} for a file descriptor (1 for stdout, 2 for stderr), chosen by what it is, so
 * that no write can park a thread for good. Files and character devices (a disk, /dev/full, a
 * terminal) take `fs.write` on libuv's thread pool: they answer at once, with ENOSPC when full. A
 * pipe or socket (docker, systemd, `| tee`) is written through a non-blocking libuv stream, as
 * `process.stdout` does: a blocking `fs.write` to a pipe nobody reads would hang a pool thread
 * forever, and Node waits for that thread at exit (measured: SIGTERM never ended the process).
 * The stream is unref'd (an idle log never keeps the process alive) and created on first use.
 */
export function createFdWrite (fd: number): LogWrite {
  let write: LogWrite | undefined
  return (data, done) => { (write ??= open(fd))(data, done) }
}

function open (fd: number): LogWrite {
  const file: LogWrite = (data, done) => { fsWrite(fd, data, done) }
  let isStream = false
  try { const st = fstatSync(fd); isStream = st.isFIFO() || st.isSocket() } catch { return file } // EBADF: each write says so
  if (!isStream) return file
  const socket = new Socket({ fd, readable: false, writable: true })
  socket.unref()
  // Never close the descriptor (Node keeps process.stdout's open the same way): a closed fd 1 is
  // reused by the next socket the gateway accepts, and anything writing to stdout would write there.
  socket._destroy = (err, cb) => { cb(err) }
  let broken: NodeJS.ErrnoException | undefined
  // The write's callback carries the error too; a broken pipe (EPIPE) stays broken.
  socket.on('error', (err: NodeJS.ErrnoException) => { broken ??= err })
  return (data, done) => {
    if (broken !== undefined || socket.destroyed) { done(broken ?? Object.assign(new Error('EPIPE'), { code: 'EPIPE' })); return }
    socket.write(data, (err) => { done(err === null || err === undefined ? null : (broken ?? err as NodeJS.ErrnoException), data.length) })
  }
}
