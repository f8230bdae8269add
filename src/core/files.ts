/**
 * The one gate for files a policy names (STYLE.md "One gate for files"). A pull request is untrusted: the
 * files it names or adds are read only when their real path (symbolic links resolved) is inside the
 * repository root, they are regular files, and at most a byte cap of them is read, through a bounded read
 * (never read whole, then checked). Nothing else in Charter reads a path that came from a policy.
 *
 * Refusals never quote the file and never tell "outside the repository" apart from "missing" once symbolic
 * links are involved: a pull request must not learn what exists elsewhere on the machine.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Largest BIMI logo or certificate read (a logo must be ≤ 32 KB anyway; a VMC chain is a few KB). */
export const MAX_ASSET_FILE_BYTES = 64 * 1024;

export type FileRefusalReason = 'outside-root' | 'missing' | 'not-a-file' | 'too-large' | 'unreadable';

/** Why a file was not read. The message names the path as written in the policy and nothing of the file. */
export class FileRefusedError extends Error {
  constructor(
    readonly reason: FileRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'FileRefusedError';
  }
}

/** Whether `target` is `root` or below it (both absolute, normalised). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

const realRoots = new Map<string, Promise<string>>();

/** The real path of a root, cached per process (roots are checkouts and temporary directories). */
function realRoot(root: string): Promise<string> {
  const key = resolve(root);
  let found = realRoots.get(key);
  if (!found) {
    found = realpath(key).catch(() => key);
    realRoots.set(key, found);
    if (realRoots.size > 256) realRoots.delete(realRoots.keys().next().value as string);
  }
  return found;
}

export interface ConfinedRead {
  /** The repository root: checkout, working directory or the app's download directory. */
  root: string;
  /** Absolute path to read (already resolved against whatever it is relative to). */
  path: string;
  /** Largest accepted size; one byte more is refused without reading further. */
  maxBytes: number;
  /** How the path is shown in messages (as the policy wrote it). */
  label: string;
}

/**
 * Reads a file confined to `root`. Throws FileRefusedError; never returns partial content.
 * Order: the path as written must be inside the root (no I/O); then its real path must be too; then it
 * must be a regular file; then at most maxBytes + 1 bytes are read from the opened descriptor, so a
 * device, a FIFO or a file growing underneath cannot make the read unbounded.
 */
export async function readConfinedFile({ root, path, maxBytes, label }: ConfinedRead): Promise<Uint8Array> {
  const lexicalRoot = resolve(root);
  const target = resolve(path);
  if (!isInside(lexicalRoot, target)) {
    throw new FileRefusedError('outside-root', `${label} is outside the repository; files must be inside it`);
  }
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    real = '';
  }
  // A dangling link and a link to something outside read the same: existence elsewhere is not disclosed.
  if (!real || !isInside(await realRoot(lexicalRoot), real)) {
    throw new FileRefusedError('missing', `${label} does not exist in the repository (symbolic links must stay inside it)`);
  }
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the real path has no link left.
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    throw new FileRefusedError('unreadable', `${label} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileRefusedError('not-a-file', `${label} is not a regular file`);
    if (info.size > maxBytes) throw tooLarge(label, maxBytes, info.size);
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) throw tooLarge(label, maxBytes);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
  } catch (error) {
    if (error instanceof FileRefusedError) throw error;
    throw new FileRefusedError('unreadable', `${label} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await handle.close();
  }
}

function tooLarge(label: string, maxBytes: number, size?: number): FileRefusedError {
  return new FileRefusedError('too-large', `${label} is ${size === undefined ? 'larger than' : `${size} bytes; the limit is`} ${maxBytes} bytes`);
}
