/** Reading a lab's pinned maps without loading its programs (destroy needs
 * only to know which devices carry a filter of ours). */
import path from 'node:path';
import { native } from '../native/addon.js';
import { BPF, KEY_SIZE, PORT_SIZE } from './layout.js';

/** Ports configured in the xc_ports map pinned in `pinDir` (ifindexes). Empty
 * when there is no such map, or when it has the layout of a version without
 * the tc engine (which had no tc filters). */
export async function readPinnedPorts(pinDir: string): Promise<number[]> {
  const m = await native.openPinnedMap(path.join(pinDir, BPF.maps.ports));
  if (!m) return [];
  try {
    if (m.keySize !== KEY_SIZE || m.valueSize !== PORT_SIZE) return [];
    const rows = await native.mapDump(m.fd, KEY_SIZE, PORT_SIZE);
    return rows.map((r) => r.key.readUInt32LE(0));
  } finally {
    native.closeFd(m.fd);
  }
}
