import { IpcError, IPC_LIMITS, Kernel, type SendCap } from '@nexus/ipc';
import { startFakePolicyd } from '@nexus/test-support';
import { describe, expect, test } from 'vitest';
import { encodeRouteRequest, RouteClient } from '@nexus/proto';
import { startInitLite } from './start-init-lite.js';

/**
 * Issue #13: any peer could fill init-lite's rights table by sending ROUTE calls that each carried
 * a duplicated right; from then on every ROUTE of every service was DENY. The kernel now releases
 * a right init-lite did not keep when its handler returns, and caps what one sender can push in.
 */
function boot(): { kernel: Kernel; route: () => Promise<string>; hostile: ReturnType<Kernel['spawn']>; router: SendCap; init: ReturnType<typeof startInitLite> } {
  const kernel = new Kernel();
  const policyd = startFakePolicyd(kernel, () => 'allow');
  const init = startInitLite(kernel, { policyTimeoutMs: 20 });
  init.connectPolicyd(kernel.grant(policyd.endpoint, init.task));
  const logd = kernel.spawn('logd');
  const logdEp = kernel.createEndpoint(logd);
  logd.serve(logdEp.recv, (msg) => msg.frame);
  init.register('logd', kernel.grant(logdEp.send, init.task));
  const client = kernel.spawn('selftest-client');
  const clientRouter = kernel.grant(init.endpoint, client);
  const hostile = kernel.spawn('hostile');
  const router = kernel.grant(init.endpoint, hostile);
  return {
    kernel,
    init,
    hostile,
    router,
    route: async () => {
      const out = await new RouteClient(client, clientRouter).route('logd');
      if (out.status === 'ok') client.release(out.cap);
      return out.status;
    },
  };
}

describe('init-lite under a rights flood (issue #13)', () => {
  test('test_reject_rights_flood: 1016 ROUTE calls each carrying a duplicated right leave every route working', async () => {
    const b = boot();
    const base = b.kernel.rightsHeld(b.init.task);
    expect(await b.route()).toBe('ok');
    const request = encodeRouteRequest('logd');
    for (let i = 0; i < 1016; i++) {
      const reply = await b.hostile.call(b.router, request, { cap: b.hostile.duplicate(b.router) });
      // The hostile task's own routes work as ever; it drops what it got.
      if (reply.cap !== undefined) b.hostile.release(reply.cap);
    }
    expect(b.kernel.rightsHeld(b.init.task)).toBe(base);
    for (let i = 0; i < 20; i++) expect(await b.route()).toBe('ok');
  });

  test('test_reject_rights_flood_concurrent: a burst fills at most the hostile share; others are still routed', async () => {
    const b = boot();
    const base = b.kernel.rightsHeld(b.init.task);
    const request = encodeRouteRequest('logd');
    const refused: string[] = [];
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const dup = b.hostile.duplicate(b.router);
      const call = b.hostile.call(b.router, request, { cap: dup, timeoutMs: 1000 });
      pending.push(
        call.then(
          (r) => r.cap !== undefined && b.hostile.release(r.cap),
          (e: unknown) => {
            refused.push(e instanceof IpcError ? e.code : 'foreign');
            if (b.kernel.rightsHeld(b.hostile) > 0) {
              try {
                b.hostile.release(dup);
              } catch {
                // moved away already
              }
            }
          },
        ),
      );
      expect(b.kernel.rightsHeld(b.init.task)).toBeLessThanOrEqual(base + IPC_LIMITS.maxInboundCapsPerSender);
    }
    expect(await b.route()).toBe('ok');
    await Promise.all(pending);
    // init-lite's queue holds 16: the hostile task got its share of 8, then QUEUE_FULL itself.
    expect(refused.length).toBeGreaterThan(150);
    expect(new Set(refused)).toEqual(new Set(['QUEUE_FULL']));
    expect(b.kernel.rightsHeld(b.init.task)).toBe(base);
  });
});
