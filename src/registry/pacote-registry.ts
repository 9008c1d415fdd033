import pacote from "pacote";
import type { Config } from "../config/schema.js";
import { TarballIntegrityError, TarballNotFoundError, type Packument, type Registry } from "./registry.js";

export interface PacoteRegistryOptions {
  /** The repository's registry settings. */
  registries: Config["registries"];
  /** Where tokens named by `tokenEnv` are looked up: the server's environment, never the repository. */
  env: NodeJS.ProcessEnv;
  /** pacote's cache folder (cacache); the default is npm's own. */
  cache?: string;
  /** Retries of a failed request and the wait between them (npm's backoff). */
  retry?: { retries: number; minTimeoutMs: number; maxTimeoutMs: number };
}

/** The registry through pacote, with npm's retries and per-scope registries and tokens. */
export function createPacoteRegistry(options: PacoteRegistryOptions): Registry {
  const { registries, env } = options;
  const settings: Record<string, unknown> = {
    registry: registries.default.url,
    // The full document: the abbreviated one has no scripts, publishers or publish times, which the
    // publication signals and the manifest comparison need.
    fullMetadata: true,
    fetchRetries: options.retry?.retries ?? 3,
    fetchRetryMintimeout: options.retry?.minTimeoutMs ?? 500,
    fetchRetryMaxtimeout: options.retry?.maxTimeoutMs ?? 4_000,
    timeout: 30_000,
    ...(options.cache ? { cache: options.cache } : {}),
  };
  for (const [scope, registry] of Object.entries(registries.scopes)) settings[`${scope}:registry`] = registry.url;
  for (const registry of [registries.default, ...Object.values(registries.scopes)]) {
    const token = registry.tokenEnv ? env[registry.tokenEnv] : undefined;
    if (token) settings[`${nerfDart(registry.url)}:_authToken`] = token;
  }

  return {
    urlFor(name) {
      const scope = name.startsWith("@") ? name.slice(0, name.indexOf("/")) : undefined;
      return (scope && registries.scopes[scope]?.url) || registries.default.url;
    },
    async packument(name, signal) {
      signal?.throwIfAborted();
      try {
        return (await pacote.packument(name, settings)) as unknown as Packument;
      } catch (error) {
        if ((error as { code?: string }).code === "E404") return undefined;
        throw new Error(describeRegistryError(error), { cause: error });
      }
    },
    async tarball(name, version, integrity, signal) {
      signal?.throwIfAborted();
      try {
        // pacote verifies the content against `integrity` as it streams, and caches tarballs by it.
        return await pacote.tarball(`${name}@${version}`, { ...settings, ...(integrity ? { integrity } : {}) });
      } catch (error) {
        const { code, found } = error as { code?: string; found?: { toString(): string } };
        if (code === "EINTEGRITY") throw new TarballIntegrityError(integrity ?? "", found?.toString());
        if (code === "E404" || code === "ETARGET") throw new TarballNotFoundError(`${name}@${version} is not on the registry`, { cause: error });
        throw new Error(describeRegistryError(error), { cause: error });
      }
    },
  };
}

/** npm's key for per-registry settings: `//host/path/`. */
function nerfDart(url: string): string {
  const parsed = new URL(url);
  return `//${parsed.host}${parsed.pathname.endsWith("/") ? parsed.pathname : `${parsed.pathname}/`}`;
}

/** A reason without URLs carrying credentials or tokens. */
function describeRegistryError(error: unknown): string {
  const { code, statusCode, message } = error as { code?: string; statusCode?: number; message?: string };
  if (statusCode) return `the registry answered HTTP ${statusCode}`;
  if (code) return `the registry could not be reached (${code})`;
  return (message ?? String(error)).replace(/\/\/[^/\s]*@/g, "//***@");
}
