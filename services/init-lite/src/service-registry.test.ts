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

  for (const name of ['', 'Logd', 'x'.repeat(49)]) {
    test(`test_reject_non_canonical_name_${name.length}`, () => {
      expect(() => new ServiceRegistry().register(name, send)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    });
  }
});
