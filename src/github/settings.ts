/** Refuses settings that would run the app unsafely; returns the reason, or undefined when fine. */
export function unsafeSettings(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_ENV === "production" && !env.WEBHOOK_SECRET) {
    return "WEBHOOK_SECRET is not set: in production Tollgate only accepts webhooks signed with the app's secret.";
  }
  return undefined;
}
