/** A network namespace held open for the length of a run.
 *
 * A node's namespace is named by a path (/proc/PID/ns/net, /run/netns/NAME),
 * but a path can change what it names: a container that restarts gets a new
 * namespace, and its old pid may then belong to another process. So a run
 * opens each namespace once, works through the open handle (which pins that
 * namespace, whatever happens to the path), and before it changes anything in
 * it checks with isAt() that the path still names it. */
import { stat } from 'node:fs/promises';
import { XconnectError } from '../errors.js';
import { native, type NetnsHandle } from './addon.js';

export class Netns {
  readonly #handle: NetnsHandle;
  #closed = false;

  private constructor(
    /** The path it was opened by (for messages, and for isAt). */
    readonly path: string,
    handle: NetnsHandle,
    /** Its identity: the nsfs device and inode. */
    readonly dev: bigint,
    readonly ino: bigint,
  ) {
    this.#handle = handle;
  }

  /** The addon's handle (refused once closed). */
  get handle(): NetnsHandle {
    if (this.#closed) throw new XconnectError('RUNTIME', `network namespace ${this.path} was closed`);
    return this.#handle;
  }

  static async open(path: string): Promise<Netns> {
    const r = await native.openNetns(path);
    return new Netns(path, r.handle, r.dev, r.ino);
  }

  /** Whether `path` (default: the one it was opened by) names this namespace now. */
  async isAt(path: string = this.path): Promise<boolean> {
    const st = await stat(path, { bigint: true }).catch(() => null);
    return !!st && st.dev === this.dev && st.ino === this.ino;
  }

  /** Fails, saying what to do, when the path no longer names this namespace. */
  async assertAt(what: string): Promise<void> {
    if (await this.isAt()) return;
    throw new XconnectError('RUNTIME', `${what}: its network namespace changed while clab-xconnect was working (${this.path} now names another, or none): the node restarted`, {
      netns: this.path,
      hint: 're-run the command',
    });
  }

  /** Same namespace as `other` (null: the host's own). */
  same(other: Netns | null): boolean {
    return !!other && other.dev === this.dev && other.ino === this.ino;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    native.closeHandle(this.#handle);
  }

  toString(): string {
    return this.path;
  }
}

/** The addon's handle for `ns` (null: the process's own netns). */
export function nsHandle(ns: Netns | null): NetnsHandle | null {
  return ns ? ns.handle : null;
}

/** "in netns PATH" or "in the host netns", for messages. */
export function whereNetns(ns: Netns | null): string {
  return ns ? `in netns ${ns.path}` : 'in the host netns';
}
