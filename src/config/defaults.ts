import { VARIABLES, type VariableName } from './variables.js';

/** The value the gateway uses when neither the environment nor config/<NODE_ENV>.json sets the variable. */
export function schemaDefault(name: VariableName): unknown {
  return VARIABLES[name].schema.parse(undefined);
}

/**
 * The default as a variable's value (`3000`, `false`), or undefined when the variable has none of its own: unset, or
 * derived (see `shownDefault` in variables.ts). An empty value counts as unset, as the loader treats `NAME=`.
 */
export function literalDefault(name: VariableName): string | undefined {
  if ('shownDefault' in VARIABLES[name]) return undefined;
  const value = schemaDefault(name);
  const text = Array.isArray(value) ? value.join(',') : value === undefined ? '' : String(value);
  return text === '' ? undefined : text;
}

/** The default as the README's configuration table and .env.example show it. */
export function shownDefault(name: VariableName): string {
  const entry = VARIABLES[name];
  if ('shownDefault' in entry) return entry.shownDefault;
  return literalDefault(name) ?? 'unset';
}
