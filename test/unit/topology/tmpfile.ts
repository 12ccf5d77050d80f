import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Writes test files into one temporary directory, removed after the suite. */
export function tempFiles(): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'xc-topo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, text) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
}
