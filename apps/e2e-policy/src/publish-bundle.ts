import type { BootedSystem } from './boot-system.js';

/**
 * A bundle manifest as the harness publishes it: the exact TOML text and its detached Ed25519
 * signature by the system's trusted publisher.
 *
 * @example
 * const { text, signature }: PublishedBundle = await publishBundle(system, 'demo.testsvc', ['ipc.core']);
 */
export interface PublishedBundle {
  readonly text: string;
  readonly signature: Uint8Array;
}

function manifest(name: string, capabilities: readonly string[], publisher: string): string {
  return [
    `name = "${name}"`,
    'version = "1.0.0"',
    `publisher = "${publisher}"`,
    `capabilities = [${capabilities.map((c) => `"${c}"`).join(', ')}]`,
    '',
  ].join('\n');
}

/**
 * The harness plays the bundle publisher bundlemgrd trusts: writes the manifest of `name` (version
 * 1.0.0, the given capabilities) and signs its exact bytes with the publisher's key, so whatever
 * bundlemgrd answers is about the bundle, never about its signature.
 *
 * @example
 * const bundle = await publishBundle(ctx.system, 'demo.testsvc', ['ipc.core', 'fs.read']);
 * await bundles.install(bundle.text, bundle.signature);
 */
export async function publishBundle(system: BootedSystem, name: string, capabilities: readonly string[]): Promise<PublishedBundle> {
  const text = manifest(name, capabilities, system.publisher.name);
  const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', system.publisher.privateKey, new TextEncoder().encode(text)));
  return { text, signature };
}
