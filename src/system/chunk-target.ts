// The snapshot copy's volumes (issue 13): the receiver's target, opened for chunk writes, and the
// sender's source, opened read-only; a block device (its size from sysfs, since fstat says 0 for
// one) or a regular file (a file-backed volume, and the tests). Contract: never creates or truncates anything (the target must exist);
// refuses any other kind of file; writes only at chunk offsets inside its size; sync() is an
// fdatasync; readBack() reads what was written, after a sync, for the receiver's check. A block
// device is opened exclusively (O_EXCL): the kernel then refuses it while it is mounted or held
// by md or device-mapper, and refuses a mount or a second writer while the copy holds it. The same
// holds for a source: a mounted volume is refused (the copy reads a snapshot, never the live pool).
import { constants } from 'node:fs';
import { type FileHandle, open, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export class ChunkTarget {
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly bytes: number,
    readonly kind: 'block' | 'file',
  ) {}

  /** Opens `path` read-write (or read-only, a source); `sysDir` is /sys (tests pass a scratch one). */
  static async open(path: string, sysDir = '/sys', o: { readOnly?: boolean } = {}): Promise<ChunkTarget> {
    const real = await realpath(path);
    const st = await stat(real);
    let bytes: number;
    let flags: number = o.readOnly ? constants.O_RDONLY : constants.O_RDWR;
    if (st.isBlockDevice()) {
      flags |= constants.O_EXCL;
      const sectors = (await readFile(join(sysDir, 'class/block', basename(real), 'size'), 'utf8')).trim();
      if (!/^\d+$/.test(sectors)) throw new Error(`cannot read the size of ${path} (${real}) from sysfs`);
      bytes = Number(sectors) * 512;
    } else if (st.isFile()) bytes = st.size;
    else throw new Error(`${path} is neither a block device nor a regular file; refusing to use it`);
    try {
      return new ChunkTarget(await open(real, flags), path, bytes, st.isBlockDevice() ? 'block' : 'file');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
      throw new Error(
        o.readOnly
          ? `${path} (${real}) is in use: mounted, or held by md or device-mapper; the copy reads an unmounted volume or a snapshot, never the live pool`
          : `${path} (${real}) is in use: mounted, or held by md, device-mapper or another writer; refusing to write to it (unmount it first; the copy's target is never mounted while it receives)`,
      );
    }
  }

  async write(offset: number, data: Buffer): Promise<void> {
    if (offset < 0 || offset + data.length > this.bytes)
      throw new RangeError(
        `a write of ${data.length} bytes at ${offset} is outside ${this.path} (${this.bytes} bytes)`,
      );
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, offset + done);
      if (bytesWritten === 0) throw new Error(`${this.path}: a write at ${offset + done} wrote nothing`);
      done += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.fh.datasync();
  }

  async readBack(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  }

  /** Exactly `length` bytes at `offset` (a source's chunk); a short volume is an error. */
  async read(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fh.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) throw new Error(`${this.path} ended at ${offset + got}, inside a chunk`);
      got += bytesRead;
    }
    return buf;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
