import { Kernel, type SendCap } from '@nexus/ipc';
import { describe, expect, test } from 'vitest';
import { MAX_REGISTERED_SERVICES, ServiceRegistry } from './service-registry.js';

describe(ServiceRegistry, () => {
  const kernel = new Kernel();
  const owner = kernel.spawn('owner');
  const { send } = kernel.createEndpoint(owner);

  test('lookup of a registered name returns its right, of another name undefined', () => {
    const registry = new ServiceRegistry();
    registry.register('logd', send);
    expect(registry.lookup('logd')).toBe(send);
    expect(registry.lookup('keystored')).toBeUndefined();
  });

  test('test_reject_name_registered_twice', () => {
    const registry = new ServiceRegistry();
    registry.register('logd', send);
    expect(() => registry.register('logd', send)).toThrow(expect.objectContaining({ code: 'ALREADY_REGISTERED' }));
  });

  test('test_reject_more_services_than_the_bound', () => {
    const registry = new ServiceRegistry();
    for (let i = 0; i < MAX_REGISTERED_SERVICES; i++) registry.register(`svc${i}`, send);
    expect(() => registry.register('one-more', send)).toThrow(expect.objectContaining({ code: 'LIMIT_REACHED' }));
  });

  test('replace swaps the right of a registered name and leaves the others alone', () => {
    const registry = new ServiceRegistry();
    const { send: next } = kernel.createEndpoint(owner);
    registry.register('logd', send);
    registry.register('keystored', send);
    registry.replace('logd', next);
    expect(registry.lookup('logd')).toBe(next);
    expect(registry.lookup('keystored')).toBe(send);
  });

  // What replace hands back to be released: the old right only when no entry refers to it any more.
  const displaced: ReadonlyArray<readonly [string, (registry: ServiceRegistry, old: SendCap) => SendCap, boolean]> = [
    ['a right only that name used', () => owner.duplicate(send), true],
    ['the same handle again', (_, old) => old, false],
    ['a handle another name still uses', (registry, old) => (registry.register('keystored', old), owner.duplicate(send)), false],
  ];
  for (const [input, arrange, releasable] of displaced) {
    test(`replace returns the displaced right to release: ${input}`, () => {
      const registry = new ServiceRegistry();
      const old = owner.duplicate(send);
      registry.register('logd', old);
      const next = arrange(registry, old);
      expect(registry.replace('logd', next)).toBe(releasable ? old : undefined);
      expect(registry.lookup('logd')).toBe(next);
    });
  }

  test('test_reject_replace_of_a_name_never_registered', () => {
    const registry = new ServiceRegistry();
    registry.register('logd', send);
    expect(() => registry.replace('keystored', send)).toThrow(expect.objectContaining({ code: 'NOT_REGISTERED' }));
    expect(registry.lookup('keystored')).toBeUndefined();
  });

  test('test_reject_replace_on_a_full_table_still_needs_a_registered_name', () => {
    const registry = new ServiceRegistry();
    for (let i = 0; i < MAX_REGISTERED_SERVICES; i++) registry.register(`svc${i}`, send);
    expect(() => registry.replace('one-more', send)).toThrow(expect.objectContaining({ code: 'NOT_REGISTERED' }));
    expect(() => registry.replace('svc0', send)).not.toThrow();
  });

  for (const name of ['', 'Logd', 'x'.repeat(49)]) {
    test(`test_reject_non_canonical_name_${name.length}`, () => {
      expect(() => new ServiceRegistry().register(name, send)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
      expect(() => new ServiceRegistry().replace(name, send)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    });
  }
});
