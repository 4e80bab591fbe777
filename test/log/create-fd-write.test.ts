import { spawnSync } from 'node:child_process'
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createFdWrite } from '../../lib/log/index.js'

type Result = { err: NodeJS.ErrnoException | null, n: number | undefined }
const writeOnce = async (fd: number, text: string | Buffer, w = createFdWrite(fd)): Promise<Result> =>
  await new Promise((resolve) => { w(Buffer.from(text), (err, n) => { resolve({ err, n }) }) })

t.test('a regular file: written, with the byte count', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'log')
  const fd = openSync(file, 'w')
  t.teardown(() => { closeSync(fd) })
  t.same(await writeOnce(fd, 'one\n'), { err: null, n: 4 })
  t.equal(readFileSync(file, 'utf8'), 'one\n')
})

t.test('/dev/full answers ENOSPC at once; a closed fd answers EBADF', async (t) => {
  const full = openSync('/dev/full', 'w')
  t.teardown(() => { closeSync(full) })
  t.match((await writeOnce(full, 'x\n')).err, { code: 'ENOSPC' })
  const gone = openSync('/dev/null', 'w')
  closeSync(gone)
  t.match((await writeOnce(gone, 'x\n')).err, { code: 'EBADF' })
})

t.test('a pipe nobody reads: the write waits without blocking this thread, and completes once read', async (t) => {
  const dir = t.testdir({})
  const fifo = join(dir, 'fifo')
  if (spawnSync('mkfifo', [fifo]).status !== 0) { t.pass('skipped: no mkfifo', { skip: 'mkfifo failed' }); return }
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
  const writer = openSync(fifo, 'w') // blocking, as a shell or docker hands it over
  let readerOpen = true
  t.teardown(() => { if (readerOpen) closeSync(reader); closeSync(writer) })
  const w = createFdWrite(writer)
  const big = Buffer.alloc(1024 * 1024, 0x61) // more than the pipe holds (64 KiB by default)
  let done: Result | undefined
  w(big, (err, n) => { done = { err, n } })
  // Had the write been a blocking write(2) on this thread, we would not get here.
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(done, undefined, 'not written yet: the pipe is full')
  const buf = Buffer.alloc(65536)
  let read = 0
  // eslint-disable-next-line no-unmodified-loop-condition -- set by the write's callback
  while (done === undefined) {
    try { read += readSync(reader, buf) } catch { await new Promise((resolve) => setImmediate(resolve)) }
  }
  t.same(done, { err: null, n: big.length }, 'written once the reader drained it')
  t.ok(read > 0)
  // The reader goes away: EPIPE, and it stays broken.
  closeSync(reader)
  readerOpen = false
  t.match((await writeOnce(writer, 'x\n', w)).err, { code: 'EPIPE' })
  t.match((await writeOnce(writer, 'y\n', w)).err, { code: 'EPIPE' }, 'every later write says so at once')
  t.doesNotThrow(() => fstatSync(writer), 'the descriptor stays open (a closed fd 1 would be reused by the next socket)')
})
