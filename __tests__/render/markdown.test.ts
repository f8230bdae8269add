import { describe, expect, it } from 'vitest';
import { codeBlock, escapeMarkdown, inlineCode, link, truncate } from '../../src/core/markdown.js';
import { valueDiff } from '../../src/core/render/index.js';

const ZWJ = '\u200d';

describe('escapeMarkdown', () => {
  it('escapes Markdown and HTML syntax as entities', () => {
    expect(escapeMarkdown('a|b `c` *d* _e_ [f](g) #h ~i~ $j$ \\k')).toBe(
      'a&#124;b &#96;c&#96; &#42;d&#42; &#95;e&#95; &#91;f&#93;(g) &#35;h &#126;i&#126; &#36;j&#36; &#92;k',
    );
    expect(escapeMarkdown('</details><!-- x -->')).toBe('&lt;/details&gt;&lt;!-- x --&gt;');
    expect(escapeMarkdown('&amp; "q"')).toBe('&amp;amp; &quot;q&quot;');
  });

  it('keeps @mentions from pinging, but leaves e-mail addresses alone', () => {
    expect(escapeMarkdown('@org/team and @alice')).toBe(`@${ZWJ}org/team and @${ZWJ}alice`);
    expect(escapeMarkdown('(@bob)')).toBe(`(@${ZWJ}bob)`);
    expect(escapeMarkdown('dmarc@example.com')).toBe('dmarc@example.com');
  });

  it('cannot start a block: line breaks become spaces, leading list and heading syntax is escaped', () => {
    expect(escapeMarkdown('one\ntwo\r\nthree')).toBe('one two three');
    expect(escapeMarkdown('- item')).toBe('&#45; item');
    expect(escapeMarkdown('+ item')).toBe('&#43; item');
    expect(escapeMarkdown('1. item')).toBe('1&#46; item');
    expect(escapeMarkdown('# title')).toBe('&#35; title');
    expect(escapeMarkdown('a - b')).toBe('a - b');
  });
});

describe('code', () => {
  it('inline code uses a fence longer than any backtick run', () => {
    expect(inlineCode('plain')).toBe('`plain`');
    expect(inlineCode('a `b` c')).toBe('``a `b` c``');
    expect(inlineCode('`x')).toBe('`` `x ``');
    expect(inlineCode('a\nb')).toBe('`a b`');
  });

  it('code blocks cannot be closed by their content', () => {
    expect(codeBlock('x', 'json')).toBe('```json\nx\n```');
    expect(codeBlock('```\n</details>', 'diff')).toBe('````diff\n```\n</details>\n````');
  });

  it('links only to http(s) URLs', () => {
    expect(link('run', 'https://github.com/a/b/actions/runs/1')).toBe('[run](https://github.com/a/b/actions/runs/1)');
    expect(link('run', 'https://x.test/a b(c)')).toBe('[run](https://x.test/a%20b%28c%29)');
    expect(link('run', 'javascript:alert(1)')).toBe('run');
    expect(link('run', undefined)).toBe('run');
  });

  it('truncates with a note, within the limit, without splitting surrogate pairs', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('x'.repeat(1000), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/… \(\d+ more characters\)$/);
    const emoji = truncate('😀'.repeat(100), 50);
    expect(emoji.length).toBeLessThanOrEqual(50);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji)).toBe(false);
  });
});

describe('value diff', () => {
  it('creates, deletes and updates as line diffs of canonical JSON', () => {
    expect(valueDiff({ action: 'create', before: null, after: { b: 1, a: [1] } })).toEqual([
      '+ {',
      '+   "a": [',
      '+     1',
      '+   ],',
      '+   "b": 1',
      '+ }',
    ]);
    expect(valueDiff({ action: 'delete', before: 'v=DMARC1', after: null })).toEqual(['- "v=DMARC1"']);
    expect(
      valueDiff({ action: 'update', before: { mx: ['a'], mode: 'testing' }, after: { mx: ['a', 'b'], mode: 'enforce' } }),
    ).toEqual([
      '  {',
      '-   "mode": "testing",',
      '+   "mode": "enforce",',
      '    "mx": [',
      '      "a",',
      '+     "b"',
      '    ]',
      '  }',
    ]);
    expect(valueDiff({ action: 'run', before: null, after: { build: 'cleanup' } })).toEqual([
      '  {',
      '    "build": "cleanup"',
      '  }',
    ]);
  });
});
