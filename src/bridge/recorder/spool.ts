import { chmodSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnyRecord } from './types.js';

interface SpoolFile {
  name: string;
  records: number;
  bytes: number;
}

const FILE = /^(\d{12})-(\d+)\.json$/;
/** The spool holds prompts and tool inputs: readable by the bridge's user only. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** Told when a batch cannot be read back (it is then in `rejected/`). */
export type UnreadableHandler = (name: string, records: number, err: unknown) => void;

/**
 * Batches of records kept on disk while the database cannot take them, replayed oldest first.
 * One file per batch, named `<sequence>-<records>.json`, written to a temporary name and
 * renamed so that a crash never leaves half a batch behind. A batch the database rejects while
 * it is up is moved to `rejected/` for an operator to look at, and so is a file that cannot be
 * read back (not JSON, not a list), so that one bad file never stops the replay.
 */
export class Spool {
  private files: SpoolFile[] = [];
  private seq = 0;
  records = 0;
  bytes = 0;

  constructor(
    readonly dir: string,
    private readonly onUnreadable: UnreadableHandler = () => {},
  ) {
    for (const d of [dir, join(dir, 'rejected')]) {
      mkdirSync(d, { recursive: true, mode: DIR_MODE });
      try {
        // An older or hand-made directory may be wider open.
        chmodSync(d, DIR_MODE);
      } catch {
        // Not ours to change: left as it is.
      }
    }
    for (const name of readdirSync(dir).sort()) {
      const m = FILE.exec(name);
      if (!m) continue;
      const f = { name, records: Number(m[2]), bytes: statSync(join(dir, name)).size };
      this.files.push(f);
      this.records += f.records;
      this.bytes += f.bytes;
      this.seq = Math.max(this.seq, Number(m[1]));
    }
  }

  /** Batches waiting. */
  get pending(): number {
    return this.files.length;
  }

  private next(records: AnyRecord[]): { file: SpoolFile; data: string; tmp: string } {
    const data = JSON.stringify(records);
    const name = `${String(++this.seq).padStart(12, '0')}-${records.length}.json`;
    return { file: { name, records: records.length, bytes: Buffer.byteLength(data) }, data, tmp: join(this.dir, `.${name}.tmp`) };
  }

  private added(file: SpoolFile): void {
    this.files.push(file);
    this.records += file.records;
    this.bytes += file.bytes;
  }

  async append(records: AnyRecord[]): Promise<void> {
    if (!records.length) return;
    const { file, data, tmp } = this.next(records);
    await writeFile(tmp, data, { mode: FILE_MODE });
    await rename(tmp, join(this.dir, file.name));
    this.added(file);
  }

  /** For the last records at shutdown, when nothing may be left to a later tick. */
  appendSync(records: AnyRecord[]): void {
    if (!records.length) return;
    const { file, data, tmp } = this.next(records);
    writeFileSync(tmp, data, { mode: FILE_MODE });
    renameSync(tmp, join(this.dir, file.name));
    this.added(file);
  }

  /**
   * The oldest readable batch, or undefined when the spool is empty. A file gone from disk is
   * forgotten; one that cannot be parsed is moved to `rejected/` and reported.
   */
  async oldest(): Promise<{ name: string; records: AnyRecord[] } | undefined> {
    for (;;) {
      const f = this.files[0];
      if (!f) return undefined;
      let text: string;
      try {
        text = await readFile(join(this.dir, f.name), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.forget(f.name);
        continue;
      }
      try {
        const records: unknown = JSON.parse(text);
        if (!Array.isArray(records)) throw new Error('spool file is not a list of records');
        return { name: f.name, records: records as AnyRecord[] };
      } catch (err) {
        await this.reject(f.name);
        this.onUnreadable(f.name, f.records, err);
      }
    }
  }

  async remove(name: string): Promise<void> {
    await unlink(join(this.dir, name)).catch(() => {});
    this.forget(name);
  }

  async reject(name: string): Promise<void> {
    await rename(join(this.dir, name), join(this.dir, 'rejected', name)).catch(() => {});
    this.forget(name);
  }

  private forget(name: string): void {
    const i = this.files.findIndex((f) => f.name === name);
    if (i < 0) return;
    const [f] = this.files.splice(i, 1);
    this.records -= f.records;
    this.bytes -= f.bytes;
  }
}
