/** Tests that attach a "foreign" program as a user would (`ip link set ... obj`,
 * `tc filter ... bpf obj`) make iproute2 create its pinning directory in bpffs
 * (/sys/fs/bpf/tc/globals, with ip and xdp linking to tc). It holds nothing of
 * ours, but the suite leaves the machine as it found it: whatever of it was
 * absent before the run goes again, if it is still empty. */
import { existsSync, lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';

const BPFFS = '/sys/fs/bpf';
const IPROUTE = ['tc', 'ip', 'xdp'].map((n) => `${BPFFS}/${n}`);

function present(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function setup(): () => void {
  const before = new Set(IPROUTE.filter(present));
  return () => {
    const tc = `${BPFFS}/tc`;
    if (before.has(tc) || !existsSync(tc)) return;
    const globals = `${tc}/globals`;
    // Only an empty tree goes: a map pinned there by anyone stays, and so does the tree.
    if (present(globals) && readdirSync(globals).length > 0) return;
    if (readdirSync(tc).some((n) => n !== 'globals')) return;
    if (present(globals)) rmdirSync(globals);
    rmdirSync(tc);
    for (const link of IPROUTE.slice(1)) if (!before.has(link) && present(link) && lstatSync(link).isSymbolicLink()) unlinkSync(link);
  };
}
