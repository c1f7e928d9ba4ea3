// The Create form pre-fills each factory's example: every built-in factory it offers has one (the
// internal ones, made only by another factory, are not offered), and each is a valid config of its
// factory as written (YAML parsed the way the form parses it).
import { describe, it, expect } from 'vitest';
import { defaultRegistry, parseConfigText } from '../../../src/core/index.ts';
import { FACTORY_EXAMPLES } from '../../../workers/factory-examples.ts';

describe('factory examples', () => {
  const registry = defaultRegistry();

  it('cover exactly the built-in factories the Create form offers', () => {
    const offered = registry.names().filter((name) => !registry.get(name)?.internal);
    expect(Object.keys(FACTORY_EXAMPLES).sort()).toEqual(offered.sort());
    expect(offered).not.toContain('temporal-reduce-series');
  });

  for (const [name, text] of Object.entries(FACTORY_EXAMPLES)) {
    it(`${name}: the example validates as written`, () => {
      const config = parseConfigText(text, `/examples/${name}`);
      expect(() => registry.validate(name, config, `/examples/${name}`)).not.toThrow();
    });
  }
});
