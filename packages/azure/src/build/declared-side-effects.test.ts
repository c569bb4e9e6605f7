import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredFree } from './declared-side-effects.js';

describe('declaredFree', () => {
  let root: string;
  const file = (pkg: string, path = 'dist/esm/index.js') => join(root, 'node_modules', pkg, path);

  /** A package in node_modules: its own package.json, and optionally a marker one under dist/esm. */
  async function writePackage(pkg: string, manifest: object, marker?: object): Promise<void> {
    const dir = join(root, 'node_modules', pkg);
    await mkdir(join(dir, 'dist', 'esm'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: pkg, ...manifest }));
    if (marker) await writeFile(join(dir, 'dist', 'esm', 'package.json'), JSON.stringify(marker));
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'baton-side-effects-'));
    await writePackage('@azure/shadowed', { sideEffects: false }, { type: 'module' });
    await writePackage('undeclared', {}, { type: 'module' });
    await writePackage('listed', { sideEffects: ['./dist/esm/polyfill.js'] }, { type: 'module' });
    await writePackage('marker-says', { sideEffects: false }, { type: 'module', sideEffects: true });
    await writePackage('plain', { sideEffects: false });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("takes the package's sideEffects: false when a nameless type marker shadows it", () => {
    expect(declaredFree(file('@azure/shadowed'))).toBe(true);
  });

  it('leaves every other case to esbuild', () => {
    // Declared nothing, declared a list, the marker declares itself, or no marker at all (esbuild
    // reads the package's own declaration then).
    expect(declaredFree(file('undeclared'))).toBe(false);
    expect(declaredFree(file('listed'))).toBe(false);
    expect(declaredFree(file('marker-says'))).toBe(false);
    expect(declaredFree(file('plain'))).toBe(false);
    expect(declaredFree(join(root, 'src', 'app.js'))).toBe(false);
  });
});
