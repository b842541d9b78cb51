import type { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { type Clock, systemClock } from "../clock";

type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

/** The SDK refreshes credentials this long before they expire; a session longer than four times this refreshes then. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * How long before its expiry a session is renewed: five minutes, as the SDK does, or a quarter of the session's
 * lifetime when that is shorter (a session of a few minutes is not renewed at every call).
 */
export const refreshMargin = (lifetimeMs: number): number => Math.min(REFRESH_BEFORE_EXPIRY_MS, Math.max(0, lifetimeMs) / 4);

/**
 * Temporary credentials (an assumed role; a chain of them lasts at most an hour) renewed before they lapse, on
 * `clock`: a run longer than a session never signs a request with an expired one. One renewal at a time, whatever the
 * number of calls waiting; when a renewal fails while the session still holds, the session goes on being used and the
 * next call tries again, so a passing STS hiccup fails nothing.
 *
 * The SDK memoizes what a credentials provider returns by its `expiration`, read on the system clock: the expiration
 * handed to it is the session's remaining time from now on the system clock, so that it asks here again (and this
 * decides) once the session nears its end on either clock.
 */
export function refreshingCredentials(source: AwsCredentialIdentityProvider, clock: Clock = systemClock): AwsCredentialIdentityProvider {
  let current: { identity: AwsCredentialIdentity; obtainedAt: number } | undefined;
  let renewal: Promise<AwsCredentialIdentity> | undefined;
  const forSdk = (identity: AwsCredentialIdentity): AwsCredentialIdentity =>
    identity.expiration ? { ...identity, expiration: new Date(Date.now() + (identity.expiration.getTime() - clock.now())) } : identity;
  const renew = (properties: Parameters<AwsCredentialIdentityProvider>[0]) =>
    (renewal ??= (async () => {
      try {
        const obtainedAt = clock.now();
        const identity = await source(properties);
        current = { identity, obtainedAt };
        return identity;
      } finally {
        renewal = undefined;
      }
    })());
  return async (properties) => {
    if (!current) return forSdk(await renew(properties));
    const expiration = current.identity.expiration?.getTime();
    if (expiration === undefined) return current.identity;
    const now = clock.now();
    if (expiration - now > refreshMargin(expiration - current.obtainedAt)) return forSdk(current.identity);
    try {
      return forSdk(await renew(properties));
    } catch (err) {
      // Still valid: keep signing with it; the next call asks STS again.
      if (clock.now() < expiration) return forSdk(current.identity);
      throw err;
    }
  };
}
