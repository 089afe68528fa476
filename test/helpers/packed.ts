// The package as users get it: `npm pack` of this repository (dist/ as built, so npm test's pretest
// must have built it), installed offline into a fresh project in a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { distIsFresh } from '../../scripts/dist-hash.mjs';

export const root = join(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface PackedInstall {
  /** The .tgz that `npm pack` wrote. */
  tarball: string;
  /** A project with the tarball installed (and `linkedPackages` linked). */
  consumer: string;
  remove(): void;
}

/**
 * Packs the package and installs the tarball into a new project. `linkedPackages` (e.g. a peer
 * dependency) are symbolic links to this repository's node_modules: `npm ci` leaves no registry
 * metadata in npm's cache, so they could not be installed offline.
 */
export function packAndInstall(linkedPackages: string[] = []): PackedInstall {
  if (!distIsFresh(root)) throw new Error('dist/ is older than src/: run `npm run build` (npm test does it)');
  const workspace = mkdtempSync(join(tmpdir(), 'contrastive-loss-pack-'));
  // --ignore-scripts: dist/ stays as it is while other test files read it.
  const packed = execFileSync(npm, ['pack', '--silent', '--ignore-scripts', '--pack-destination', workspace], { cwd: root, encoding: 'utf8' });
  const tarball = join(workspace, packed.trim().split('\n').pop()!);
  const consumer = join(workspace, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  execFileSync(npm, ['install', '--silent', '--no-audit', '--no-fund', '--offline', tarball], { cwd: consumer });
  for (const name of linkedPackages) {
    const link = join(consumer, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), link, 'dir');
  }
  return { tarball, consumer, remove: () => rmSync(workspace, { recursive: true, force: true }) };
}
