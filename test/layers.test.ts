import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The house's layering, read from the code's own imports: experiments → plugins → src, the
// experiments share helpers only through experiments/shared, no import cycle, and the package
// entry loads nothing Node-only, no CLI package and no backend by itself.

const ROOT = resolve(__dirname, '..');
const LAYERS = ['src', 'plugins', 'experiments'];

interface Edge {
  from: string;
  to: string;
  dynamic: boolean;
  /** `import type …`: erased at run time, so it cannot make a cycle. */
  typeOnly: boolean;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) {
      if (name === '_scratch' || name === 'node_modules') continue;
      out.push(...sources(p));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s(type\s)?[^;]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]/g;

function importsOf(file: string): { relative: Edge[]; bare: { spec: string; dynamic: boolean }[] } {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => (c.startsWith('/*') && /^\/\*\s*optional\s*\*\/$/.test(c) ? c : ''));
  const rel: Edge[] = [];
  const bare: { spec: string; dynamic: boolean }[] = [];
  const take = (spec: string, dynamic: boolean, typeOnly = false) => {
    if (spec.startsWith('.')) {
      const to = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts');
      rel.push({ from: file, to, dynamic, typeOnly });
    } else bare.push({ spec, dynamic });
  };
  for (const m of text.matchAll(IMPORT)) take(m[2] ?? m[3], false, m[1] !== undefined);
  for (const m of text.matchAll(DYNAMIC)) take(m[1], true);
  return { relative: rel, bare };
}

const files = LAYERS.flatMap(sources);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** experiments/<folder>/… → <folder> ('shared', 'cli', or an experiment's name). */
function experimentFolder(f: string): string {
  return f.split('/')[1];
}

describe('layering', () => {
  it('src imports nothing from plugins or experiments', () => {
    const up = files.filter((f) => f.startsWith('src/')).flatMap((f) => graph.get(f)!.relative).filter((e) => !e.to.startsWith('src/'));
    expect(up.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('plugins import only src and plugins', () => {
    const up = files
      .filter((f) => f.startsWith('plugins/'))
      .flatMap((f) => graph.get(f)!.relative)
      .filter((e) => !e.to.startsWith('src/') && !e.to.startsWith('plugins/'));
    expect(up.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('experiments share code only through experiments/shared (the CLI may reach every experiment)', () => {
    const bad = files
      .filter((f) => f.startsWith('experiments/'))
      .flatMap((f) => graph.get(f)!.relative)
      .filter((e) => {
        if (!e.to.startsWith('experiments/')) return false;
        const a = experimentFolder(e.from);
        const b = experimentFolder(e.to);
        if (a === b || b === 'shared') return false;
        return a !== 'cli';
      });
    expect(bad.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('has no import cycle (type-only imports are erased at run time and do not count)', () => {
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 1);
      stack.push(f);
      for (const e of graph.get(f)?.relative ?? []) {
        if (!graph.has(e.to) || e.typeOnly) continue;
        const s = state.get(e.to);
        if (s === 1) cycles.push([...stack.slice(stack.indexOf(e.to)), e.to].join(' → '));
        else if (s === undefined) visit(e.to);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('every relative import resolves to a file of the tree', () => {
    const missing = files.flatMap((f) => graph.get(f)!.relative).filter((e) => !graph.has(e.to) && !graph.has(join(e.to, 'index.ts')));
    expect(missing.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('the package entry statically loads no node: module, CLI package or backend', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } };
    const entry = pkg.exports['.'].import.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
    expect(graph.has(entry)).toBe(true);
    const seen = new Set<string>();
    const loaded: string[] = [];
    const walk = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      const g = graph.get(f) ?? graph.get(join(f, 'index.ts'));
      if (!g) return;
      for (const b of g.bare) if (!b.dynamic) loaded.push(`${f}: ${b.spec}`);
      for (const e of g.relative) if (!e.dynamic) walk(e.to);
    };
    walk(entry);
    const forbidden = loaded.filter((l) => /: (node:|fs$|path$|os$|yargs|csv-stringify|@tensorflow\/tfjs-backend-wasm|@tensorflow\/tfjs-node|mnist$)/.test(l));
    expect(forbidden).toEqual([]);
    // and nothing above the plugins layer
    expect([...seen].filter((f) => f.startsWith('experiments/'))).toEqual([]);
  });
});
