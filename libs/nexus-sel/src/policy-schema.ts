/**
 * The JSON Schema (draft 2020-12 subset that ajv 8 checks by default) every parsed policy file must
 * satisfy: only the tables `allow`, `deny` and `restrict`, each mapping a key to an array of strings,
 * `capabilities`, mapping a capability (or a `family.*`) to its one-line description, and `mode`,
 * mapping a service to `enforce` or `learn`.
 * Names and patterns inside are checked by the compiler, which can say where they are.
 *
 * @example
 * new Ajv().compile(POLICY_SCHEMA)({ allow: { keystored: ['crypto.sign'] } }); // true
 */
export const POLICY_SCHEMA = {
  $id: 'https://open-nexus-os.dev/schemas/policy-file.v1.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    allow: { $ref: '#/$defs/table' },
    deny: { $ref: '#/$defs/table' },
    restrict: { $ref: '#/$defs/table' },
    capabilities: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 200 },
    },
    mode: {
      type: 'object',
      additionalProperties: { enum: ['enforce', 'learn'] },
    },
  },
  $defs: {
    table: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
  },
} as const;
