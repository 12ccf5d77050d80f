/** Reading a lab's pinned maps without loading its programs (destroy needs
 * only to know which devices carry a filter of ours). */
import { native } from '../native/addon.js';
import { BPF, KEY_SIZE, PORT_SIZE } from './layout.js';

/** Ports configured in the xc_ports map pinned in `pinDir` (ifindexes). Empty
 * when there is no such map, or when it has the layout of a version without
 * the tc engine (which had no tc filters). */
export async function readPinnedPorts(pinDir: string): Promise<number[]> {
  const obj = await native.openPinned(pinDir, [BPF.maps.ports]);
  try {
    const m = obj.maps[BPF.maps.ports];
    if (!m || m.keySize !== KEY_SIZE || m.valueSize !== PORT_SIZE) return [];
    const d = await native.mapDump(obj.handle, BPF.maps.ports);
    return Array.from({ length: d.count }, (_, i) => d.keys.readUInt32LE(i * d.keySize));
  } finally {
    native.closeHandle(obj.handle);
  }
}
