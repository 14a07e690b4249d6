import { BundleStatus, type BundleSummary } from '@nexus/proto';
import type { BundleManifest } from './parse-bundle-manifest.js';

/**
 * One installed bundle: its manifest fields and the image id it was given.
 *
 * @example
 * const b: InstalledBundle | undefined = registry.get('demo.testsvc');
 */
export interface InstalledBundle extends BundleManifest {
  readonly imageId: number;
}

/** Image ids are one byte on the wire (EXEC and BM), and 0 means "none". */
export const BUNDLE_MAX_IMAGES = 255;

/**
 * The installed bundles, by name, with image ids 1..255 handed out in install order and never
 * reused (there is no uninstall in v1). Only bundlemgrd's server writes to it, after every gate of
 * an install passed.
 *
 * @example
 * const reg = new BundleRegistry();
 * reg.add(manifest); // { status: BundleStatus.OK, imageId: 1 }
 */
export class BundleRegistry {
  readonly #byName = new Map<string, InstalledBundle>();

  /** Installed bundles. */
  get size(): number {
    return this.#byName.size;
  }

  /**
   * Stores a manifest that passed every gate. ALREADY_INSTALLED for a name already there, FULL
   * after 255 images; neither changes anything.
   *
   * @example
   * reg.add(manifest).status === BundleStatus.ALREADY_INSTALLED;
   */
  add(manifest: BundleManifest): { readonly status: BundleStatus; readonly imageId: number } {
    if (this.#byName.has(manifest.name)) return { status: BundleStatus.ALREADY_INSTALLED, imageId: 0 };
    if (this.#byName.size >= BUNDLE_MAX_IMAGES) return { status: BundleStatus.FULL, imageId: 0 };
    const imageId = this.#byName.size + 1;
    this.#byName.set(manifest.name, Object.freeze({ ...manifest, imageId }));
    return { status: BundleStatus.OK, imageId };
  }

  /**
   * The bundle installed under `name`, if any.
   *
   * @example
   * reg.get('demo.testsvc')?.imageId;
   */
  get(name: string): InstalledBundle | undefined {
    return this.#byName.get(name);
  }

  /**
   * Every installed bundle as LIST rows, in image-id order.
   *
   * @example
   * reg.list(); // [{ imageId: 1, name: 'demo.testsvc', version: '1.0.0' }]
   */
  list(): BundleSummary[] {
    return [...this.#byName.values()].map(({ imageId, name, version }) => ({ imageId, name, version }));
  }
}
