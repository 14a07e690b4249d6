import { Kernel } from '@nexus/ipc';
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
    expect(() => registry.register('logd', send)).toThrow(expect.objectContaining({ code: 'STATE' }));
  });

  test('test_reject_more_services_than_the_bound', () => {
    const registry = new ServiceRegistry();
    for (let i = 0; i < MAX_REGISTERED_SERVICES; i++) registry.register(`svc${i}`, send);
    expect(() => registry.register('one-more', send)).toThrow(expect.objectContaining({ code: 'STATE' }));
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

  test('test_reject_replace_of_a_name_never_registered', () => {
    const registry = new ServiceRegistry();
    registry.register('logd', send);
    expect(() => registry.replace('keystored', send)).toThrow(expect.objectContaining({ code: 'STATE' }));
    expect(registry.lookup('keystored')).toBeUndefined();
  });

  test('test_reject_replace_on_a_full_table_still_needs_a_registered_name', () => {
    const registry = new ServiceRegistry();
    for (let i = 0; i < MAX_REGISTERED_SERVICES; i++) registry.register(`svc${i}`, send);
    expect(() => registry.replace('one-more', send)).toThrow(expect.objectContaining({ code: 'STATE' }));
    expect(() => registry.replace('svc0', send)).not.toThrow();
  });

  for (const name of ['', 'Logd', 'x'.repeat(49)]) {
    test(`test_reject_non_canonical_name_${name.length}`, () => {
      expect(() => new ServiceRegistry().register(name, send)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
      expect(() => new ServiceRegistry().replace(name, send)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    });
  }
});
