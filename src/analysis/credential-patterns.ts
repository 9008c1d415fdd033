/**
 * What counts as a credential and where credentials live: the vocabulary of the token-flow
 * analysis, kept apart from the analysis so it can be read (and argued about) on its own.
 */

/** Environment variable names that hold secrets: `NPM_TOKEN`, `OPENAI_API_KEY`, `DB_PASSWORD`. */
const TOKEN_NAME = /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|API_?KEY|ACCESS_?KEY|SECRET_?KEY|PRIVATE_?KEY|AUTH|CREDENTIALS?|DSN|WEBHOOK|SESSION|COOKIE|MNEMONIC|SEED)(?:_|$)|(?:TOKEN|SECRET|APIKEY|PASSWORD)$/i;
/**
 * Names that look like secrets but are settings about them (`NODE_TLS_REJECT_UNAUTHORIZED`,
 * `GITHUB_TOKEN_URL`), or feature switches (`__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS`).
 */
const NOT_TOKEN_NAME = /(?:_(?:URL|URI|HOST|PORT|PATH|FILE|DIR|TYPE|MODE|ENABLED|DISABLED|TIMEOUT|HEADER|NAME|PREFIX)$|(?:^|_)(?:EXPERIMENTAL|FEATURES?|FLAGS?|ENABLE|DISABLE)(?:_|$)|^NODE_TLS_|^npm_(?:config|package|lifecycle)_(?!.*_auth)|^(?:SSH_AUTH_SOCK|PWD|OLDPWD|PASSWORD_STORE_DIR)$)/i;

export function isTokenName(name: string): boolean {
  return TOKEN_NAME.test(name) && !NOT_TOKEN_NAME.test(name);
}

/**
 * Credentials of other tools: an SDK has its own key, but a package that sends these has taken them.
 * The vendor host is where the credential legitimately goes.
 */
const FOREIGN_CREDENTIALS: { name: RegExp; vendor: RegExp }[] = [
  { name: /^(?:NPM_TOKEN|NODE_AUTH_TOKEN|NPM_AUTH_TOKEN|npm_config__auth.*|npm_config_.*_authtoken)$/i, vendor: /(?:^|\.)npmjs\.(?:org|com)$|^registry\.|^npm\./i },
  { name: /^(?:GITHUB_TOKEN|GH_TOKEN|GITHUB_PAT|GH_ENTERPRISE_TOKEN|ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN)$/i, vendor: /(?:^|\.)github(?:usercontent)?\.com$|(?:^|\.)githubapp\.com$|actions/i },
  { name: /^AWS_(?:SECRET_ACCESS_KEY|SESSION_TOKEN|ACCESS_KEY_ID)$/i, vendor: /(?:^|\.)amazonaws\.com(?:\.cn)?$/i },
  { name: /^(?:GITLAB_TOKEN|CI_JOB_TOKEN|GL_TOKEN)$/i, vendor: /gitlab/i },
  { name: /^(?:AZURE_.*|ARM_CLIENT_SECRET)$/i, vendor: /(?:azure|microsoft|windows\.net)/i },
  { name: /^(?:GOOGLE_APPLICATION_CREDENTIALS|GCP_.*KEY.*)$/i, vendor: /(?:googleapis|google)\.com$/i },
  { name: /^(?:DOCKER_PASSWORD|DOCKERHUB_TOKEN|DOCKER_AUTH_CONFIG)$/i, vendor: /docker/i },
  { name: /^(?:CIRCLE_TOKEN|TRAVIS_TOKEN|VERCEL_TOKEN|NETLIFY_AUTH_TOKEN|HEROKU_API_KEY|CODECOV_TOKEN|SONAR_TOKEN)$/i, vendor: /./ },
];

/** The vendor of a foreign credential, or undefined when the variable is not one. */
export function foreignCredential(name: string): { vendor: RegExp } | undefined {
  return FOREIGN_CREDENTIALS.find((entry) => entry.name.test(name));
}

/**
 * Whether a host belongs to the vendor a variable names: `OPENAI_API_KEY` and `api.openai.com`,
 * `STRIPE_SECRET_KEY` and `api.stripe.com`. A variable with no vendor word (`API_KEY`) matches any host.
 */
export function variableMatchesHost(name: string, host: string): boolean {
  const foreign = foreignCredential(name);
  if (foreign) return foreign.vendor.test(host);
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 3 && !GENERIC_WORDS.has(word));
  if (words.length === 0) return true;
  const bare = host.toLowerCase().replace(/[^a-z0-9]/g, "");
  return words.some((word) => bare.includes(word));
}

const GENERIC_WORDS = new Set(["api", "key", "token", "secret", "access", "auth", "private", "password", "pass", "client", "app", "the", "dsn", "webhook", "url", "env", "prod", "production", "dev", "test"]);

export type CredentialFileKind = "package-manager" | "ssh" | "cloud" | "git" | "container" | "browser" | "wallet" | "shell-history";

/** Files that hold other tools' secrets, matched against the constant text of a path (`~` is the home folder). */
const CREDENTIAL_FILES: { pattern: RegExp; kind: CredentialFileKind; label: string }[] = [
  { pattern: /(?:^|[/\\])\.npmrc$/, kind: "package-manager", label: "~/.npmrc" },
  { pattern: /(?:^|[/\\])\.yarnrc(?:\.yml)?$/, kind: "package-manager", label: "~/.yarnrc" },
  { pattern: /(?:^|[/\\])\.ssh(?:[/\\]|$)/, kind: "ssh", label: "~/.ssh" },
  { pattern: /(?:^|[/\\])id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?$/, kind: "ssh", label: "an SSH key" },
  { pattern: /(?:^|[/\\])\.aws[/\\](?:credentials|config)$|(?:^|[/\\])\.aws(?:[/\\]|$)/, kind: "cloud", label: "~/.aws/credentials" },
  { pattern: /(?:^|[/\\])(?:gcloud[/\\](?:credentials\.db|access_tokens\.db|application_default_credentials\.json|legacy_credentials))/, kind: "cloud", label: "gcloud credentials" },
  { pattern: /(?:^|[/\\])\.azure(?:[/\\]|$)/, kind: "cloud", label: "~/.azure" },
  { pattern: /(?:^|[/\\])gh[/\\]hosts\.yml$/, kind: "git", label: "~/.config/gh/hosts.yml" },
  { pattern: /(?:^|[/\\])\.git-credentials$/, kind: "git", label: "~/.git-credentials" },
  { pattern: /(?:^|[/\\])\.netrc$|(?:^|[/\\])_netrc$/, kind: "git", label: "~/.netrc" },
  { pattern: /(?:^|[/\\])\.docker[/\\]config\.json$/, kind: "container", label: "~/.docker/config.json" },
  { pattern: /(?:^|[/\\])\.kube[/\\]config$/, kind: "container", label: "~/.kube/config" },
  { pattern: /(?:Login Data|Cookies|Local State|Web Data)$|(?:Google[/\\]Chrome|google-chrome|BraveSoftware|Chromium|Microsoft[/\\]Edge)[/\\]|mozilla[/\\]firefox|logins\.json$|key4\.db$/i, kind: "browser", label: "a browser profile" },
  { pattern: /nkbihfbeogaeaoehlefnkodbefgpgknn|bfnaelmomeimhlpmgjnjophhpkkoljpa|Local Extension Settings|(?:^|[/\\])(?:\.?solana[/\\]id\.json|Exodus|\.electrum|\.bitcoin|wallet\.dat|keystore)(?:[/\\]|$)|(?:^|[/\\])\.config[/\\]solana/i, kind: "wallet", label: "a crypto wallet" },
  { pattern: /(?:^|[/\\])\.(?:bash|zsh)_history$/, kind: "shell-history", label: "the shell history" },
];

/** The credential file a path's constant text names, if any. */
export function credentialFile(path: string): { kind: CredentialFileKind; label: string } | undefined {
  const normalised = path.trim();
  const found = CREDENTIAL_FILES.find((entry) => entry.pattern.test(normalised));
  return found && { kind: found.kind, label: found.label };
}

/** Commands that print a credential: another tool asked for its token, or a secret scanner run over the machine. */
const TOKEN_COMMANDS: { pattern: RegExp; label: string }[] = [
  { pattern: /\bnpm\s+(?:config\s+get|get)\b[^;&|]*(?:_auth|token)/i, label: "npm's registry token" },
  { pattern: /\bnpm\s+token\s+(?:list|ls|create)\b/i, label: "npm tokens" },
  { pattern: /\bgh\s+auth\s+(?:token|status\s+(?:-t|--show-token))\b/i, label: "the GitHub CLI's token" },
  { pattern: /\bgit\s+credential(?:-\w+)?\s+(?:fill|get)\b/i, label: "git's stored credentials" },
  { pattern: /\bgit\s+config\b[^;&|]*\b(?:credential|extraheader|http\..*auth)/i, label: "git's configured credentials" },
  { pattern: /\b(?:trufflehog|gitleaks|detect-secrets|ggshield)\b/i, label: "a secret scanner's findings" },
  { pattern: /\bsecurity\s+find-(?:generic|internet)-password\b/i, label: "the macOS keychain" },
  { pattern: /\baws\s+(?:configure\s+(?:get|export-credentials)|sts\s+get-session-token)\b/i, label: "the AWS CLI's credentials" },
  { pattern: /\bgcloud\s+auth\s+(?:print-access-token|print-identity-token)\b/i, label: "gcloud's token" },
  { pattern: /\baz\s+account\s+get-access-token\b/i, label: "the Azure CLI's token" },
  { pattern: /\b(?:cat|type|more|less)\s+[^;&|]*(?:\.npmrc|\.ssh[/\\]|\.aws[/\\]credentials|\.git-credentials|\.netrc|hosts\.yml|\.docker[/\\]config\.json|\.kube[/\\]config)/i, label: "a credential file" },
  { pattern: /\b(?:env|printenv|set)\s*(?:$|[;&|>])/i, label: "the whole environment" },
];

/** What credential a command line prints, if any. */
export function tokenCommand(command: string): string | undefined {
  return TOKEN_COMMANDS.find((entry) => entry.pattern.test(command))?.label;
}

/** Command lines that send data over the network (`curl -d @- https://…`). */
export const NETWORK_COMMAND = /\b(?:curl|wget|nc|ncat|netcat|Invoke-WebRequest|Invoke-RestMethod|iwr|irm)\b/;

/** Modules whose calls send data over the network. */
export const NETWORK_MODULES = new Set([
  "http",
  "https",
  "http2",
  "net",
  "tls",
  "dgram",
  "dns",
  "dns/promises",
  "undici",
  "axios",
  "node-fetch",
  "got",
  "request",
  "superagent",
  "needle",
  "ws",
  "ky",
  "cross-fetch",
  "isomorphic-fetch",
  "phin",
  "bent",
  "socket.io-client",
  "make-fetch-happen",
  "minipass-fetch",
  "@octokit/request",
]);

/** Global functions and constructors that send data over the network. */
export const NETWORK_GLOBALS = new Set(["fetch", "WebSocket", "XMLHttpRequest", "EventSource", "navigator.sendBeacon"]);


/** Console and logger methods. */
export const LOG_METHODS = new Set(["log", "info", "warn", "error", "debug", "trace", "fatal", "verbose", "silly", "notice"]);
/** Names that are loggers by convention. */
export const LOGGER_NAMES = /^(?:console|log|logger|debug|_?log(?:ger)?)$/i;


/** Package names of the tools whose credential files they are: the AWS SDK reads ~/.aws/credentials by design. */
const OWN_TOOL: Record<string, RegExp> = {
  npm: /(?:^|[/@-])(?:npm|npmcli|pnpm|yarn|yarnpkg|registry|lerna|verdaccio)(?:$|[/-])/,
  aws: /(?:^|[/@-])(?:aws|aws-sdk|smithy|amazon|aws-amplify)(?:$|[/-])/,
  ssh: /ssh/,
  git: /(?:^|[/@-])(?:git|github|gh|octokit|simple-git|isomorphic-git)(?:$|[/-])/,
  docker: /(?:docker|container|kube|kubernetes)/,
};

/** Whether a package is the tool (or that tool's SDK) whose credentials it reads. */
export function isOwnTool(packageName: string, tool: string): boolean {
  return OWN_TOOL[tool]?.test(packageName) ?? false;
}
