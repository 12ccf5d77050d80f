/** clab-xconnect changes kernel state: say so up front instead of failing halfway. */
import { XconnectError } from '../errors.js';

export function requireRoot(what: string): void {
  if (process.geteuid?.() !== 0)
    throw new XconnectError('PERMISSION', `${what} needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN)`, {
      hint: 'run it as root',
    });
}
