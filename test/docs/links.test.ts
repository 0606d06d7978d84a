import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The documentation's links and tables of contents, checked as GitHub renders the pages: every
 * relative link names a file of the repository, every `#anchor` a heading of its page, and every
 * page longer than a screen opens with a table of contents of its `##` sections.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A page longer than this many lines needs a table of contents. */
const SCREEN_LINES = 60;

/** The pages checked, relative to the repository root: the README, every page under docs/, and the fixtures' README. */
function checkedPages(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return under(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...under('docs').sort(), 'test/fixtures/README.md'];
}

/** Reads a file of the repository by its path from the root; undefined when there is none. */
type Files = (path: string) => { readonly text: string } | { readonly directory: true } | undefined;

const repositoryFiles: Files = (path) => {
  const absolute = join(ROOT, path);
  if (!existsSync(absolute)) return undefined;
  return statSync(absolute).isDirectory() ? { directory: true } : { text: readFileSync(absolute, 'utf8') };
};

// ---------------------------------------------------------------------------------------------
// Markdown, as far as links and headings go

interface Heading {
  readonly level: number;
  /** As written, inline Markdown included. */
  readonly source: string;
  readonly anchor: string;
  /** 1-based. */
  readonly line: number;
}

interface Link {
  readonly text: string;
  readonly target: string;
  readonly line: number;
}

interface Page {
  readonly lines: readonly string[];
  readonly headings: readonly Heading[];
  readonly links: readonly Link[];
}

/**
 * A heading's anchor as GitHub makes it (github-slugger): the rendered text in lower case, every
 * character but letters, marks, digits, `_`, `-` and spaces removed, spaces turned into hyphens.
 */
function slug(renderedText: string): string {
  return renderedText
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replaceAll(' ', '-');
}

/** The text a heading renders to: code spans' contents, links' texts, without emphasis markers or HTML tags. */
function rendered(source: string): string {
  return source
    .split(/(`+)(.*?)\1/)
    .map((part, i) => {
      if (i % 3 === 1) return '';
      if (i % 3 === 2) return part;
      return part
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/<[^>]+>/g, '')
        .replace(/\*+|~~/g, '')
        .replace(/(^|[^\p{L}\p{N}])_+([^_]+?)_+(?=[^\p{L}\p{N}]|$)/gu, '$1$2');
    })
    .join('')
    .trim();
}

const FENCE = /^\s*(`{3,}|~{3,})/;
const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const INLINE_LINK = /!?\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[([^\]]+)\]:\s*<?([^\s>]+)>?/;

function parsePage(text: string): Page {
  const lines = text.replace(/\n$/, '').split('\n');
  const headings: Heading[] = [];
  const links: Link[] = [];
  // github-slugger: a repeated slug gets -1, -2, … (and never one that another heading already has).
  const occurrences = new Map<string, number>();
  const anchorOf = (source: string): string => {
    const base = slug(rendered(source));
    let anchor = base;
    while (occurrences.has(anchor)) {
      const count = occurrences.get(base)! + 1;
      occurrences.set(base, count);
      anchor = `${base}-${count}`;
    }
    occurrences.set(anchor, 0);
    return anchor;
  };
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const fenceMark = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (fenceMark !== undefined && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      return;
    }
    if (fenceMark !== undefined) {
      fence = fenceMark;
      return;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading) headings.push({ level: heading[1]!.length, source: heading[2]!, anchor: anchorOf(heading[2]!), line: index + 1 });
    const definition = REFERENCE_DEFINITION.exec(line);
    if (definition) {
      links.push({ text: definition[1]!, target: definition[2]!, line: index + 1 });
      return;
    }
    // Links inside code spans are text, not links.
    const prose = line.replace(/(`+).*?\1/g, (span) => ' '.repeat(span.length));
    for (const match of prose.matchAll(INLINE_LINK)) links.push({ text: match[1]!, target: match[2]!, line: index + 1 });
  });
  return { lines, headings, links };
}

// ---------------------------------------------------------------------------------------------
// The checks: each answers its problems, one line each, empty when there are none

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;
/** GitHub's line anchors in a file that is not Markdown: `#L10`, `#L10-L20`. */
const LINE_ANCHOR = /^L\d+(-L\d+)?$/;

function linkProblems(file: string, files: Files): string[] {
  const own = files(file);
  if (own === undefined || !('text' in own)) return [`${file}: no such page`];
  const page = parsePage(own.text);
  const pages = new Map<string, Page | undefined>([[file, page]]);
  const pageAt = (path: string): Page | undefined => {
    if (!pages.has(path)) {
      const found = files(path);
      pages.set(path, found !== undefined && 'text' in found ? parsePage(found.text) : undefined);
    }
    return pages.get(path);
  };
  const problems: string[] = [];
  for (const { text, target, line } of page.links) {
    if (EXTERNAL.test(target)) continue;
    const where = `${file}:${line}: [${text}](${target})`;
    if (target === '') {
      problems.push(`${where}: empty link target`);
      continue;
    }
    const hash = target.indexOf('#');
    const pathPart = hash < 0 ? target : target.slice(0, hash);
    const anchor = hash < 0 ? undefined : target.slice(hash + 1);
    let path = file;
    if (pathPart !== '') {
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathPart);
      } catch {
        problems.push(`${where}: the path is not valid percent-encoding`);
        continue;
      }
      const joined = decoded.startsWith('/') ? decoded.slice(1) : join(dirname(file), decoded);
      path = normalize(joined).split(sep).join('/').replace(/\/$/, '');
      if (path === '..' || path.startsWith('../') || relative(ROOT, join(ROOT, path)).startsWith('..')) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (files(path) === undefined) {
        problems.push(`${where}: no file ${path}`);
        continue;
      }
    }
    if (anchor === undefined) continue;
    if (!path.endsWith('.md')) {
      if (!LINE_ANCHOR.test(anchor)) problems.push(`${where}: ${path} is not a Markdown page, it has no heading #${anchor}`);
      continue;
    }
    const anchors = pageAt(path)?.headings.map((heading) => heading.anchor) ?? [];
    if (!anchors.includes(anchor)) {
      const bare = (a: string) => a.replaceAll('-', '');
      const near = anchors.filter((a) => bare(a).includes(bare(anchor).slice(0, 8)) || bare(anchor).includes(bare(a).slice(0, 8))).slice(0, 3);
      problems.push(`${where}: ${path} has no heading #${anchor}${near.length > 0 ? ` (did you mean ${near.map((a) => `#${a}`).join(', ')}?)` : ''}`);
    }
  }
  return problems;
}

/** A table of contents: the first top-level bullet list before the first `##` heading, every item a link to an anchor. */
const TOC_ITEM = /^[-*] \[(.+)\]\(#([^)\s]*)\)\s*$/;

function tocProblems(file: string, text: string): string[] {
  const page = parsePage(text);
  const sections = page.headings.filter((heading) => heading.level === 2);
  if (page.lines.length <= SCREEN_LINES || sections.length < 2) return [];
  const firstSection = sections[0]!.line;
  const start = page.lines.findIndex((line, index) => index < firstSection - 1 && TOC_ITEM.test(line));
  if (start < 0) {
    return [
      `${file}: ${page.lines.length} lines (more than ${SCREEN_LINES}) and no table of contents before its first section (line ${firstSection}); it should start:`,
      ...sections.map((section) => `  - [${section.source}](#${section.anchor})`),
    ];
  }
  const entries: { text: string; anchor: string; line: number }[] = [];
  for (let index = start; index < firstSection - 1; index++) {
    const line = page.lines[index]!;
    if (/^\s+[-*] /.test(line)) continue; // nested entries (### sections) may follow theirs
    const item = TOC_ITEM.exec(line);
    if (!item) break;
    entries.push({ text: item[1]!, anchor: item[2]!, line: index + 1 });
  }
  const problems: string[] = [];
  const count = Math.max(entries.length, sections.length);
  for (let i = 0; i < count; i++) {
    const entry = entries[i];
    const section = sections[i];
    if (section === undefined)
      problems.push(`${file}:${entry!.line}: table of contents entry [${entry!.text}](#${entry!.anchor}) has no \`##\` section`);
    else if (entry === undefined) problems.push(`${file}:${section.line}: section "## ${section.source}" is missing from the table of contents`);
    else if (entry.anchor !== section.anchor || entry.text !== section.source)
      problems.push(
        `${file}:${entry.line}: table of contents entry ${i + 1} is [${entry.text}](#${entry.anchor}), but section ${i + 1} (line ${section.line}) is "## ${section.source}": [${section.source}](#${section.anchor})`,
      );
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

describe('GitHub heading anchors', () => {
  it.each([
    ['Signing: what API Gateway accepts', 'signing-what-api-gateway-accepts'],
    ["Health: liveness and the operators' check", 'health-liveness-and-the-operators-check'],
    ['The `envelope` CLI', 'the-envelope-cli'],
    ['Small values: `encrypt`, `decrypt`, `rewrap`', 'small-values-encrypt-decrypt-rewrap'],
    ['Encrypted file format, version 1', 'encrypted-file-format-version-1'],
    ['ENVELOPE_DATA_DIR and **bold** [a link](x.md)', 'envelope_data_dir-and-bold-a-link'],
    ['Differences from the ESDK message format version 2', 'differences-from-the-esdk-message-format-version-2'],
    ['Ünïcode – dashes — and × signs', 'ünïcode--dashes--and--signs'],
  ])('%s -> #%s', (heading, anchor) => {
    expect(parsePage(`# ${heading}\n`).headings[0]!.anchor).toBe(anchor);
  });

  it('numbers repeated headings -1, -2, and skips headings in code blocks', () => {
    const page = parsePage('# A\n## Notes\n```bash\n# Notes\n```\n## Notes\n### Notes\n## Notes-1\n');
    expect(page.headings.map((heading) => heading.anchor)).toEqual(['a', 'notes', 'notes-1', 'notes-2', 'notes-1-1']);
  });
});

describe('the checks themselves', () => {
  const fake =
    (pages: Record<string, string>): Files =>
    (path) =>
      path in pages ? { text: pages[path]! } : path === 'docs' ? { directory: true } : undefined;

  it('find a missing file, a missing anchor, a link outside the repository, and ignore external links and code', () => {
    const files = fake({
      'README.md': [
        '# Title',
        '## Start',
        'See [the guide](docs/guide.md#setup), [gone](docs/gone.md), [here](#start), [there](#nowhere),',
        '[up](../outside.md), <https://example.com>, [web](https://example.com/x#y) and `[code](docs/none.md)`.',
        '```md',
        '[fenced](docs/none.md)',
        '```',
      ].join('\n'),
      'docs/guide.md': '# Guide\n## Set up\n',
    });
    expect(linkProblems('README.md', files)).toEqual([
      'README.md:3: [the guide](docs/guide.md#setup): docs/guide.md has no heading #setup (did you mean #set-up?)',
      'README.md:3: [gone](docs/gone.md): no file docs/gone.md',
      'README.md:3: [there](#nowhere): README.md has no heading #nowhere',
      'README.md:4: [up](../outside.md): points outside the repository',
    ]);
  });

  it('want a table of contents, in order, on a long page only', () => {
    const body = (sections: string[]) => sections.map((s) => `## ${s}\n${'text\n'.repeat(30)}`).join('');
    expect(tocProblems('short.md', `# Short\n${body(['A'])}`)).toEqual([]);
    expect(tocProblems('long.md', `# Long\n\nIntro.\n\n${body(['A', 'B `c`'])}`)[0]).toMatch(/^long\.md: 66 lines .* no table of contents/);
    expect(tocProblems('long.md', `# Long\n\n- [A](#a)\n- [B \`c\`](#b-c)\n\n${body(['A', 'B `c`'])}`)).toEqual([]);
    expect(tocProblems('long.md', `# Long\n\n- [B \`c\`](#b-c)\n- [A](#a)\n\n${body(['A', 'B `c`', 'D'])}`)).toEqual([
      'long.md:3: table of contents entry 1 is [B `c`](#b-c), but section 1 (line 6) is "## A": [A](#a)',
      'long.md:4: table of contents entry 2 is [A](#a), but section 2 (line 37) is "## B `c`": [B `c`](#b-c)',
      'long.md:68: section "## D" is missing from the table of contents',
    ]);
  });
});

describe.each(checkedPages())('%s', (file) => {
  it('has only links that resolve: files that exist, anchors that are headings', () => {
    expect(linkProblems(file, repositoryFiles)).toEqual([]);
  });

  it(`opens with a table of contents of its ## sections when longer than ${SCREEN_LINES} lines`, () => {
    expect(tocProblems(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });
});
