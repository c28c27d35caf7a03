import { ConfigGroup, configGroups } from './variables';

// Renders the variable catalogue (variables.ts) as docs/configuration.md's table and as
// .env.example; scripts/generate-config-docs.mjs writes them, config-docs.spec.ts compares.

export const configTableStart = '<!-- config-table:start (npm run docs:config) -->';
export const configTableEnd = '<!-- config-table:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function shownDefault(v: { default: string; derived?: string }): string {
  if (v.derived) return v.derived.startsWith('(') ? `_${v.derived}_` : `\`${v.derived}\``;
  return v.default === '' ? '_(empty)_' : `\`${v.default}\``;
}

/** The Markdown table of every variable, one section row per group, aligned as Prettier does. */
export function renderConfigTable(groups: ConfigGroup[] = configGroups): string {
  const rows: string[][] = [];
  for (const group of groups) {
    rows.push([`**${group.title}**`, '', '']);
    for (const v of group.variables)
      rows.push([`\`${v.name}\``, cell(shownDefault(v)), cell(v.description)]);
  }
  const header = ['variable', 'default', 'meaning'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return (
    [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n'
  );
}

/** `text` with the part between the table markers replaced by the generated table. */
export function withConfigTable(text: string, groups: ConfigGroup[] = configGroups): string {
  const start = text.indexOf(configTableStart);
  const end = text.indexOf(configTableEnd);
  if (start < 0 || end < start) throw new Error('configuration table markers not found');
  return (
    text.slice(0, start + configTableStart.length) +
    '\n\n' +
    renderConfigTable(groups) +
    '\n' +
    text.slice(end)
  );
}

/** .env.example: every variable commented out with its default and description. */
export function renderEnvExample(groups: ConfigGroup[] = configGroups): string {
  const lines = [
    '# Sextant configuration, generated from libs/config/src/variables.ts (npm run docs:config).',
    '# Every variable is optional unless its description says otherwise; the values shown are',
    '# the defaults. See docs/configuration.md.',
  ];
  for (const group of groups) {
    lines.push('', `# --- ${group.title} ---`);
    for (const v of group.variables) {
      const derived = v.derived ? ` Default: ${v.derived}.` : '';
      lines.push(`# ${v.description}${derived}`, `# ${v.name}=${v.default}`);
    }
  }
  return lines.join('\n') + '\n';
}
