// Group commit on SQLite (issue 14 item 2). SQLite has one writer, and with `synchronous = FULL` every
// COMMIT waits for an fsync of the WAL, so one write at a time was one fsync at a time, each blocking the
// event loop. Here the write transactions that arrive together share one SQLite transaction and one
// COMMIT: each runs inside its own SAVEPOINT, so a failure rolls back only its own work. The COMMIT only
// writes the WAL (`synchronous = NORMAL`); this driver then fdatasyncs the WAL file on libuv's thread
// pool, and no write of the group is acknowledged (its commit resolves) before that returns: the
// durability of FULL (an acknowledged write survives a power cut) without blocking the event loop, while
// the next group runs. A read outside a transaction waits for an fsync under way, so no answer shows a
// write that is not on disk, and runs on a second connection while a group is open (committed data only).
import { AsyncLocalStorage } from 'node:async_hooks'
import fs from 'node:fs'
import { promisify } from 'node:util'
import type SqliteDatabase from 'better-sqlite3'
import {
  SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type CompiledQuery, type DatabaseConnection, type DatabaseIntrospector, type Dialect, type DialectAdapter,
  type Driver, type Kysely, type QueryCompiler, type QueryResult
} from 'kysely'

/** How many writes may wait for one COMMIT while others queue; bounds the latency a busy writer adds. */
const MOST_IN_GROUP = 64
const STATEMENT_CACHE_SIZE = 256

export interface GroupCommitCounts {
  /** Write transactions committed (each its own savepoint). */
  readonly writes: number
  /** SQLite COMMITs, each followed by one fdatasync of the WAL. */
  readonly commits: number
}

/** The database: `reader` and `walFile` are undefined for `:memory:`, which has no file to share or flush. */
export interface GroupCommitConnections {
  readonly writer: SqliteDatabase.Database
  readonly reader: SqliteDatabase.Database | undefined
  /** The writer's WAL (`<file>-wal`), flushed after each COMMIT. */
  readonly walFile: string | undefined
  /** The flush; tests hold it. Default fs.fdatasync. */
  readonly fdatasync?: (fd: number) => Promise<void>
}

const notWaitingForDisk = new AsyncLocalStorage<true>()

/**
 * Runs `write` so that its commits join a group but return without waiting for its fsync: for writes whose
 * loss in a power cut harms nobody (a lease: the cut stops its holder too), as a later durable write
 * flushes them in order. On PostgreSQL, which this driver does not serve, `write` runs as it is.
 */
export async function withoutWaitingForDisk<T> (write: () => Promise<T>): Promise<T> {
  return await notWaitingForDisk.run(true, write)
}

export class GroupCommitDialect implements Dialect {
  readonly driver: GroupCommitDriver
  constructor (connections: GroupCommitConnections) { this.driver = new GroupCommitDriver(connections) }
  createDriver (): Driver { return this.driver }
  createQueryCompiler (): QueryCompiler { return new SqliteQueryCompiler() }
  createAdapter (): DialectAdapter { return new GroupCommitAdapter() }
  createIntrospector (db: Kysely<unknown>): DatabaseIntrospector { return new SqliteIntrospector(db) }
}

class GroupCommitAdapter extends SqliteAdapter {
  // The driver orders writers itself; without this Kysely would make every read wait for them.
  override get supportsMultipleConnections (): boolean { return true }
  // SQLite runs DDL in transactions: the migrations commit as one write instead of one per statement.
  override get supportsTransactionalDdl (): boolean { return true }
}

interface Waiting { resolve (): void; reject (error: unknown): void }

class GroupCommitDriver implements Driver {
  private readonly writer: Statements
  private readonly reader: Statements | undefined
  private writerTaken = false
  private readonly writerQueue: Array<() => void> = []
  /** The open SQLite transaction's writes that wait for its COMMIT; undefined when none is open. */
  private group: Waiting[] | undefined
  private commitScheduled = false
  /** The fsync of the last COMMIT, while under way: the next COMMIT and every read outside a write wait for it. */
  private flushing: Promise<void> | undefined
  private walFd: number | undefined
  private readonly fdatasync: (fd: number) => Promise<void>
  /** Set when a flush failed: the WAL may not be on disk, and no later write may be acknowledged (fsync errors are not repeated). */
  private flushFailed: Error | undefined
  private counts = { writes: 0, commits: 0 }

  constructor (private readonly connections: GroupCommitConnections) {
    this.writer = new Statements(connections.writer)
    this.reader = connections.reader === undefined ? undefined : new Statements(connections.reader)
    this.fdatasync = connections.fdatasync ?? promisify(fs.fdatasync)
    // The COMMIT writes the WAL without its own fsync: flush() does it, before any acknowledgement (the
    // guarantee of FULL). In WAL mode NORMAL still syncs the WAL before each checkpoint copies it back.
    connections.writer.pragma('synchronous = NORMAL')
  }

  get committed (): GroupCommitCounts { return { ...this.counts } }

  async init (): Promise<void> { /* the connections are open already */ }
  async acquireConnection (): Promise<DatabaseConnection> { return new Connection(this) }
  async beginTransaction (connection: DatabaseConnection): Promise<void> { await (connection as Connection).begin() }
  async commitTransaction (connection: DatabaseConnection): Promise<void> { await (connection as Connection).commit() }
  async rollbackTransaction (connection: DatabaseConnection): Promise<void> { (connection as Connection).rollback() }
  async releaseConnection (): Promise<void> { /* a Connection holds nothing between its statements and writes */ }

  async destroy (): Promise<void> {
    await this.flushing
    if (!this.writerTaken) this.commitGroup()
    await this.flushing
    if (this.walFd !== undefined) fs.closeSync(this.walFd)
    this.connections.reader?.close()
    this.connections.writer.close()
  }

  /** A statement outside a transaction: a read as read(), anything else as a write of its own. */
  async runAlone (query: CompiledQuery): Promise<QueryResult<unknown>> {
    const statement = this.writer.prepare(query.sql)
    if (statement.readonly) return await this.read(statement, query)
    await this.beginWrite()
    let result: QueryResult<unknown>
    try {
      result = run(statement, query)
    } catch (error) {
      this.rollbackWrite()
      throw error
    }
    await this.commitWrite()
    return result
  }

  /**
   * Waits for an fsync under way (the COMMIT before it is visible, not yet on disk), then reads on the
   * writer when it holds no uncommitted write (its cache is warm), else on the reader (committed data only).
   */
  private async read (statement: SqliteDatabase.Statement, query: CompiledQuery): Promise<QueryResult<unknown>> {
    while (this.flushing !== undefined) await this.flushing
    if (this.group === undefined || this.reader === undefined) return run(statement, query)
    return run(this.reader.prepare(query.sql), query)
  }

  runInWrite (query: CompiledQuery): QueryResult<unknown> {
    return run(this.writer.prepare(query.sql), query)
  }

  async beginWrite (): Promise<void> {
    await this.takeWriter()
    try {
      if (this.flushFailed !== undefined) throw this.flushFailed
      if (this.group === undefined) {
        // IMMEDIATE: the write lock now, so a busy file (another process) fails here, before any work.
        this.connections.writer.exec('begin immediate')
        this.group = []
      }
      this.connections.writer.exec('savepoint write')
    } catch (error) {
      this.freeWriter()
      throw error
    }
  }

  /** Ends the write's savepoint; resolves once the COMMIT that holds it is on disk. */
  async commitWrite (): Promise<void> {
    const group = this.group!
    try {
      this.connections.writer.exec('release write')
    } catch (error) {
      this.rollbackWrite()
      throw error
    }
    this.counts.writes++
    const durable = notWaitingForDisk.getStore() === true
      ? undefined
      : new Promise<void>((resolve, reject) => { group.push({ resolve, reject }) })
    this.freeWriter()
    await durable
  }

  rollbackWrite (): void {
    try {
      if (this.connections.writer.inTransaction) {
        this.connections.writer.exec('rollback to write')
        this.connections.writer.exec('release write')
      } else {
        // SQLite rolled the whole transaction back (RAISE(ROLLBACK), a full disk): the writes before
        // this one in the group are gone too, and must not be acknowledged.
        this.failGroup(new Error('SQLite rolled back the shared transaction: retry'))
      }
    } finally {
      this.freeWriter()
    }
  }

  private async takeWriter (): Promise<void> {
    if (!this.writerTaken) {
      this.writerTaken = true
      return
    }
    await new Promise<void>((resolve) => { this.writerQueue.push(resolve) })
  }

  /** Hands the writer to the next write (it joins the group), or commits the group when nobody waits. */
  private freeWriter (): void {
    const next = this.writerQueue.shift()
    if (next !== undefined) {
      if ((this.group?.length ?? 0) >= MOST_IN_GROUP) this.commitGroup()
      next()
      return
    }
    this.writerTaken = false
    this.scheduleCommit()
  }

  private scheduleCommit (): void {
    if (this.group === undefined || this.commitScheduled) return
    this.commitScheduled = true
    // After the I/O callbacks of this turn: the requests that arrived with this one join first.
    setImmediate(() => {
      this.commitScheduled = false
      if (!this.writerTaken) this.commitGroup()
    })
  }

  /** COMMITs the open group unless the last COMMIT's fsync is still under way (its end commits this one). */
  private commitGroup (): void {
    const group = this.group
    if (group === undefined || this.flushing !== undefined) return
    this.group = undefined
    try {
      this.connections.writer.exec('commit')
    } catch (error) {
      if (this.connections.writer.inTransaction) this.connections.writer.exec('rollback')
      for (const write of group) write.reject(error)
      return
    }
    this.counts.commits++
    this.flushing = this.flush().then(
      () => { for (const write of group) write.resolve() },
      (error: unknown) => {
        this.flushFailed = new Error(`the database's WAL could not be flushed to disk (${String(error)}): restart the service`)
        for (const write of group) write.reject(this.flushFailed)
      }
    ).finally(() => {
      this.flushing = undefined
      this.scheduleCommit()
    })
  }

  private async flush (): Promise<void> {
    const walFile = this.connections.walFile
    if (walFile === undefined) return
    this.walFd ??= fs.openSync(walFile, 'r')
    await this.fdatasync(this.walFd)
  }

  private failGroup (error: Error): void {
    const group = this.group ?? []
    this.group = undefined
    for (const write of group) write.reject(error)
  }
}

/** What Kysely holds for a query or a transaction: a write while in a transaction, else one statement. */
class Connection implements DatabaseConnection {
  private writing = false
  constructor (private readonly driver: GroupCommitDriver) {}

  async executeQuery<R> (query: CompiledQuery): Promise<QueryResult<R>> {
    return (this.writing ? this.driver.runInWrite(query) : await this.driver.runAlone(query)) as QueryResult<R>
  }

  // eslint-disable-next-line require-yield -- Kysely's interface; nothing here streams
  async * streamQuery (): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('streaming is not supported on SQLite here')
  }

  async begin (): Promise<void> {
    await this.driver.beginWrite()
    this.writing = true
  }

  async commit (): Promise<void> {
    this.writing = false
    await this.driver.commitWrite()
  }

  rollback (): void {
    if (!this.writing) return // Kysely rolls back after a failed commit too: that write is already undone
    this.writing = false
    this.driver.rollbackWrite()
  }
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing was a fifth of a GET's CPU time (bench
 * profile). Statements are reused by SQL text, which is safe: better-sqlite3 runs each to completion
 * before the next. Oldest out first when full.
 */
class Statements {
  private readonly cache = new Map<string, SqliteDatabase.Statement>()
  constructor (private readonly database: SqliteDatabase.Database) {}

  prepare (sql: string): SqliteDatabase.Statement {
    let statement = this.cache.get(sql)
    if (statement === undefined) {
      statement = this.database.prepare(sql)
      if (this.cache.size >= STATEMENT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!)
      this.cache.set(sql, statement)
    }
    return statement
  }
}

function run (statement: SqliteDatabase.Statement, { parameters }: CompiledQuery): QueryResult<unknown> {
  if (statement.reader) return { rows: statement.all(parameters) }
  const { changes, lastInsertRowid } = statement.run(parameters)
  return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] }
}
