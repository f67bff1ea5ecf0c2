import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

// The shape README's "Layout" describes, checked on the source itself: folders depend one way, the SDK speaks only
// the contract, and importing the package does not load the development IdP.

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

interface Import {
  from: string;
  to: string;
  /** Loaded only when the code runs `import()`, or never (`import type`, erased by the compiler). */
  lazy: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, lazy: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier)) return;
    const text = specifier.text;
    const to = text.startsWith('.') ? resolve(dirname(file), text).replace(/\.js$/, '.ts') : text;
    found.push({ from: file, to, lazy });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0], true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `src/` for the files at the top (the composition root), else the first folder below it. */
function folderOf(file: string): string {
  const parts = relative(src, file).split('/');
  return parts.length === 1 ? '.' : (parts[0] ?? '.');
}

const imports = sourceFiles(src).flatMap(importsOf);
const local = imports.filter((i) => i.to.startsWith(src));

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of local) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a === b) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return graph;
}

function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const walk = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      if (next === path[0]) found.push([...path, next]);
      else if (!path.includes(next) && next > path[0]!) walk(next, [...path, next]);
    }
  };
  for (const start of graph.keys()) walk(start, [start]);
  return found;
}

function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const byFile = new Map<string, Import[]>();
  for (const i of imports) byFile.set(i.from, [...(byFile.get(i.from) ?? []), i]);
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of byFile.get(file) ?? []) {
      if (i.lazy) continue;
      if (i.to.startsWith(src)) visit(i.to);
      else seen.add(i.to);
    }
  };
  visit(entry);
  return seen;
}

/** README's "Project layout" order: a folder imports only from folders before it. */
const LAYERS = [
  'contract',
  'support',
  'config',
  'errors',
  'observability',
  'stores',
  'idp',
  'sessions',
  'service-tokens',
  'http',
  'dev-idp',
  'client',
  'cli',
];

describe('the source folders', () => {
  it('import only from the folders listed before them in the README layout', () => {
    const upward = local.filter((i) => {
      const [a, b] = [folderOf(i.from), folderOf(i.to)];
      return a !== '.' && a !== b && !(LAYERS.indexOf(b) >= 0 && LAYERS.indexOf(b) < LAYERS.indexOf(a));
    });
    expect(upward.map((i) => `${relative(root, i.from)} -> ${relative(root, i.to)}`)).toEqual([]);
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.sort()).toEqual([...LAYERS].sort());
  });

  it('depend on each other one way only, with no cycle between folders', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it('leave the files at the top of src (the composition root) to be imported by nothing below them', () => {
    const intoRoot = local.filter((i) => folderOf(i.to) === '.' && folderOf(i.from) !== '.');
    expect(intoRoot.map((i) => `${relative(root, i.from)} -> ${relative(root, i.to)}`)).toEqual([]);
  });

  it('give the SDK nothing of the server: src/client imports only the contract and browser-safe packages', () => {
    const fromClient = imports.filter((i) => folderOf(i.from) === 'client' && folderOf(i.to) !== 'client');
    const outside = fromClient.filter(
      (i) => !(i.to.startsWith(join(src, 'contract')) || ['axios', 'cookie'].includes(i.to)),
    );
    expect(
      outside.map((i) => `${relative(root, i.from)} -> ${i.to.startsWith(src) ? relative(root, i.to) : i.to}`),
    ).toEqual([]);
  });

  it('keep the contract self-contained: src/contract imports nothing', () => {
    const fromContract = imports.filter((i) => folderOf(i.from) === 'contract' && folderOf(i.to) !== 'contract');
    expect(fromContract.map((i) => i.to)).toEqual([]);
  });

  it('let a program import the package without loading the development IdP, oidc-provider or Koa', () => {
    const loaded = [...staticClosure(join(src, 'index.ts'))];
    const devIdp = loaded.filter((m) => m.startsWith(join(src, 'dev-idp')) || /^(oidc-provider|koa)/.test(m));
    expect(devIdp).toEqual([]);
    // The closure is real: it reaches the gateway's own parts.
    expect(loaded).toContain(join(src, 'app.ts'));
    expect(loaded).toContain('express');
  });
});
