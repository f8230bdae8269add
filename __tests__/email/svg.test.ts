import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SVG_MAX_BYTES, checkSvgTinyPs } from '../../src/providers/email/svg.js';
import { FIXTURES } from './helpers.js';

const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const summary = (name: string) => checkSvgTinyPs(fixture(name)).map((i) => `${i.severity}:${i.code}`);

describe('checkSvgTinyPs', () => {
  it('accepts a valid SVG Tiny PS logo', () => {
    expect(checkSvgTinyPs(fixture('logo-valid.svg'))).toEqual([]);
  });

  it.each([
    ['logo-wrong-profile.svg', ['error:email/logo-not-tiny-ps', 'error:email/logo-not-tiny-ps']],
    ['logo-no-title.svg', ['error:email/logo-no-title']],
    ['logo-root-xy.svg', ['error:email/logo-root-position', 'error:email/logo-root-position']],
    ['logo-script.svg', ['error:email/logo-forbidden-element']],
    ['logo-event-handler.svg', ['error:email/logo-forbidden-element']],
    ['logo-raster.svg', ['error:email/logo-forbidden-element', 'error:email/logo-external-reference']],
    ['logo-external-href.svg', ['error:email/logo-external-reference']],
    ['logo-animated.svg', ['error:email/logo-forbidden-element']],
    ['logo-foreign-object.svg', ['error:email/logo-forbidden-element']],
    ['logo-filter.svg', ['error:email/logo-forbidden-element']],
    ['logo-not-square.svg', ['warning:email/logo-not-square']],
    ['logo-malformed.svg', ['error:email/logo-invalid-xml']],
    ['logo-not-svg.svg', ['error:email/logo-invalid-xml']],
  ])('%s → %j', (name, expected) => {
    expect(summary(name)).toEqual(expected);
  });

  it('names the offending element or attribute', () => {
    const [script] = checkSvgTinyPs(fixture('logo-script.svg'));
    expect(script.message).toContain('<script>');
    const [animate] = checkSvgTinyPs(fixture('logo-animated.svg'));
    expect(animate.message).toContain('<animate>');
    const [external] = checkSvgTinyPs(fixture('logo-external-href.svg'));
    expect(external.message).toContain('https://cdn.example.net/shapes.svg#mark');
    const [xml] = checkSvgTinyPs(fixture('logo-malformed.svg'));
    expect(xml.message).toMatch(/line \d+, column \d+/);
  });

  it('reports every animation element', () => {
    for (const el of ['set', 'animateMotion', 'animateColor', 'animateTransform']) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><title>T</title><rect width="1" height="1"><${el} attributeName="x" to="1"/></rect></svg>`;
      expect(checkSvgTinyPs(new TextEncoder().encode(svg)).map((i) => i.code)).toEqual(['email/logo-forbidden-element']);
    }
  });

  it('counts real bytes against the 32 KB limit', () => {
    const valid = readFileSync(join(FIXTURES, 'logo-valid.svg'), 'utf8');
    // Multi-byte characters, so a character count would undercount: é is two bytes in UTF-8.
    const withComment = (fill: string) => new TextEncoder().encode(valid.replace('</svg>', `<!--${fill}--></svg>`));
    const pad = SVG_MAX_BYTES - withComment('').length;
    const fill = 'é'.repeat(Math.floor(pad / 2)) + (pad % 2 ? 'a' : '');
    expect(fill.length).toBeLessThan(SVG_MAX_BYTES - withComment('').length);
    expect(withComment(fill).length).toBe(SVG_MAX_BYTES);
    expect(checkSvgTinyPs(withComment(fill))).toEqual([]);
    expect(checkSvgTinyPs(withComment(fill + 'a')).map((i) => `${i.severity}:${i.code}`)).toEqual(['error:email/logo-too-large']);
  });

  it('uses width/height when there is no viewBox', () => {
    const svg = (w: string, h: string) => new TextEncoder().encode(`<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" width="${w}" height="${h}"><title>T</title></svg>`);
    expect(checkSvgTinyPs(svg('64', '64px'))).toEqual([]);
    expect(checkSvgTinyPs(svg('64', '32')).map((i) => i.code)).toEqual(['email/logo-not-square']);
  });

  it('accepts a UTF-8 BOM and a namespace prefix on the root', () => {
    const svg = '\ufeff<s:svg xmlns:s="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><s:title>T</s:title></s:svg>';
    expect(checkSvgTinyPs(new TextEncoder().encode(svg))).toEqual([]);
  });
});
