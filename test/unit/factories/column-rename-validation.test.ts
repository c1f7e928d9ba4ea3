// column-rename's rules are checked when a config is validated, before the regex engine (re2js,
// loaded with the first rename to keep it out of the worker's first load) is there: the same
// verdicts as after it loaded. Its own file, so that nothing has loaded the engine yet.
import { describe, it, expect } from 'vitest';
import { defaultRegistry } from '../../../src/core/index.ts';
import { loadRegexEngine } from '../../../src/core/factories/column-rename.ts';

const registry = defaultRegistry();
const verdict = (pattern: string): string => {
  try {
    registry.validate('column-rename', { rules: [{ type: 'pattern', pattern, replacement: 'x' }] }, '/t/rename');
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};
const PATTERNS: Array<[string, string]> = [
  ['^(?P<name>[A-Z]+)_(?P<unit>\\w+)$', 'ok'],
  ['(?i)^temp', 'ok'],
  ['^a(?i:b)c(?s).$', 'ok'],
  ['^(a+)+$', 'ok'], // valid, and linear-time under RE2
  ['(?=a)b', 'ECONFIG'], // lookahead
  ['(?<!a)b', 'ECONFIG'], // lookbehind
  ['(a)\\1', 'ECONFIG'], // backreference
  ['(unclosed', 'ECONFIG'],
];

describe('column-rename rule validation, before and after the regex engine loads', () => {
  it('gives the same verdicts both ways', async () => {
    const before = PATTERNS.map(([p]) => verdict(p));
    await loadRegexEngine();
    const after = PATTERNS.map(([p]) => verdict(p));
    expect(before).toEqual(PATTERNS.map(([, v]) => v));
    expect(after).toEqual(before);
  });
});
