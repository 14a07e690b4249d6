import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'smol-toml';
import { describe, expect, test } from 'vitest';
import { POLICY_SCHEMA } from './policy-schema.js';

const schemaFile = new URL('../policy.schema.json', import.meta.url);
const recipes = new URL('../../../recipes/policy/', import.meta.url);

describe('policy.schema.json (the schema editors load)', () => {
  const shipped = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;

  test('is POLICY_SCHEMA, so the editor and the compiler agree', () => {
    const { $schema: _draft, title: _title, description: _description, ...rest } = shipped;
    expect(rest).toEqual(JSON.parse(JSON.stringify(POLICY_SCHEMA)));
  });

  const validate = new Ajv({ strict: false }).compile(shipped);
  test.each(readdirSync(recipes).filter((name) => name.endsWith('.toml')))('recipes/policy/%s validates', (name) => {
    const document = parse(readFileSync(new URL(name, recipes), 'utf8'));
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
  });

  test.each([
    ['an unknown table', { alow: { a: ['x'] } }],
    ['a string instead of an array', { allow: { a: 'x' } }],
    ['a number in an array', { deny: { a: [1] } }],
  ])('test_reject_%s', (_name, document) => {
    expect(validate(document)).toBe(false);
  });
});
