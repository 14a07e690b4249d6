import type { PhaseContext } from './phase-context.js';
import { publishBundle } from './publish-bundle.js';

/**
 * The two demo bundles: one the policy lets the selftest client spawn, one it forbids
 * (`[deny] selftest-client = ["proc.spawn@2"]` in recipes/policy/authority.toml: image 2).
 *
 * @example
 * DEMO_BUNDLES.allowed; // 'demo.testsvc'
 */
export const DEMO_BUNDLES: { readonly allowed: 'demo.testsvc'; readonly forbidden: 'demo.forbidden' } = Object.freeze({
  allowed: 'demo.testsvc',
  forbidden: 'demo.forbidden',
});

/**
 * The harness publishes (signs) both demo manifests and the selftest client installs them through
 * bundlemgrd (it holds `bundle.install`), in a fixed order; done once per run. Returns the image ids,
 * or the cause of the failure.
 *
 * @example
 * const ids = await installDemoBundles(ctx); // { allowed: 1, forbidden: 2 }
 */
export async function installDemoBundles(ctx: PhaseContext): Promise<{ readonly allowed: number; readonly forbidden: number } | string> {
  if (ctx.installed !== undefined) return ctx.installed;
  const bundles = await ctx.client.bundles();
  if (bundles === undefined) return 'no route to bundlemgrd';
  const ids: number[] = [];
  // demo.testsvc asks for what the policy grants it; demo.forbidden asks for nothing.
  for (const [name, caps] of [[DEMO_BUNDLES.allowed, ['ipc.core', 'fs.read']], [DEMO_BUNDLES.forbidden, []]] as const) {
    const { text, signature } = await publishBundle(ctx.system, name, caps);
    const out = await bundles.install(text, signature);
    if (out.status !== 'ok') return `install of ${name} answered ${out.status}`;
    ids.push(out.imageId);
  }
  const installed = { allowed: ids[0]!, forbidden: ids[1]! };
  ctx.installed = installed;
  return installed;
}
