import type { Capability } from "./model.js";

/** Node's built-in modules that grant a capability by being loaded. */
const MODULE_CAPABILITIES: Record<string, Capability> = {
  http: "network",
  https: "network",
  http2: "network",
  net: "network",
  tls: "network",
  dgram: "network",
  dns: "network",
  "dns/promises": "network",
  _http_client: "network",
  _tls_wrap: "network",
  fs: "filesystem",
  "fs/promises": "filesystem",
  "original-fs": "filesystem",
  child_process: "shell",
  vm: "eval",
};

/** Packages whose whole job is loading a compiled addon: using one is using native code. */
const NATIVE_LOADERS = new Set(["bindings", "node-gyp-build", "node-gyp-build-optional-packages", "@mapbox/node-pre-gyp", "node-pre-gyp", "prebuild-install", "nan"]);

/** The capability a `require`/`import` of `specifier` grants, with the name to show. */
export function capabilityOfModule(specifier: string): { capability: Capability; detail: string } | undefined {
  const name = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  const capability = MODULE_CAPABILITIES[name];
  if (capability) return { capability, detail: name };
  if (NATIVE_LOADERS.has(name)) return { capability: "native-code", detail: `${name} (loads a compiled addon)` };
  if (/\.node$/.test(name)) return { capability: "native-code", detail: name };
  return undefined;
}

/** What `process.binding(name)` reaches: Node's internals, without the public module around them. */
export function capabilityOfBinding(name: string): Capability {
  if (/^(spawn_sync|process_wrap|pipe_wrap)$/.test(name)) return "shell";
  if (/^(fs|fs_dir|fs_event_wrap)$/.test(name)) return "filesystem";
  if (/^(tcp_wrap|udp_wrap|cares_wrap|tls_wrap|stream_wrap|js_stream)$/.test(name)) return "network";
  if (name === "contextify") return "eval";
  return "native-code";
}
