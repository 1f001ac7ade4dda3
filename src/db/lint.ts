import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsDir } from './migrate.js';

export interface LintProblem {
  file: string;
  line: number;
  text: string;
}

/**
 * Blanks out SQL comments (`-- …` and `/* … *\/`) and string literals, keeping line breaks, so
 * that line numbers still match the file.
 */
function stripCommentsAndStrings(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < sql.length && !(sql[i] === '*' && sql[i + 1] === '/')) out += sql[i++] === '\n' ? '\n' : '';
      i += 2;
    } else if (c === "'") {
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) {
        if (sql[i] === "'") i++;
        out += sql[i++] === '\n' ? '\n' : '';
      }
      i++;
      out += "''";
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Migrations must not hardcode the `public` schema: deployments choose their schema with
 * search_path, and a `public.` qualifier breaks them (seed 003, Coder's lint/migrations).
 */
export function lintMigrations(dir = migrationsDir): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const lines = stripCommentsAndStrings(text).split('\n');
    const raw = text.split('\n');
    lines.forEach((l, idx) => {
      if (/(^|[^a-z0-9_$"])"?public"?\s*\./i.test(l)) problems.push({ file: join(dir, f), line: idx + 1, text: raw[idx].trim() });
    });
  }
  return problems;
}
