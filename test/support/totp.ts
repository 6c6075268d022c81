/**
 * A test user's authenticator app, and the login a client does with it: an admin without a second
 * factor enrols on its first login (login → enrolment token → enroll → confirm, which logs in),
 * later logins send a code. The server refuses a code of a time step already used (a replay), so
 * each code here is of a later step than the last: within the server's TOTP_DRIFT_STEPS of now, or
 * after waiting for the clock to catch up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;

export class Authenticator {
  private lastStep = -1;
  readonly secret: string;
  private readonly driftSteps: number;
  constructor(secret: string, driftSteps = 1) {
    this.secret = secret;
    this.driftSteps = driftSteps;
  }

  /** A code the server has not seen yet (waits when every step it would accept is used). */
  async code(): Promise<string> {
    let now = Math.floor(Date.now() / PERIOD_MS);
    const step = Math.max(now, this.lastStep + 1);
    while (step > now + this.driftSteps) {
      await sleep(Math.max(50, (step - this.driftSteps) * PERIOD_MS - Date.now() + 50));
      now = Math.floor(Date.now() / PERIOD_MS);
    }
    this.lastStep = step;
    return this.codeAt(step);
  }

  codeAt(step: number): string {
    return new TOTP({ secret: Secret.fromBase32(this.secret), period: PERIOD_MS / 1000 }).generate({ timestamp: step * PERIOD_MS });
  }
}

type Post = (path: string, body: unknown) => Promise<Response>;

/**
 * POST /auth/login as a console would: with a code when `keys` has the user's authenticator, and
 * enrolling one (kept in `keys`) when the server says an admin must. Answers like the login does.
 */
export async function loginWithSecondFactor(post: Post, username: string, password: string, keys: Map<string, Authenticator>, driftSteps = 1): Promise<Response> {
  const known = keys.get(username);
  const res = await post('/auth/login', { username, password, ...(known ? { otp: await known.code() } : {}) });
  if (res.status !== 401 || known) return res;
  const problem = (await res.clone().json()) as { type?: string; enrolmentToken?: string };
  if (problem.type !== '/problems/otp-enrolment-required') return res;
  const enrolled = await post('/auth/2fa/enroll', { enrolmentToken: problem.enrolmentToken });
  if (enrolled.status !== 200) return enrolled;
  const authenticator = new Authenticator(((await enrolled.json()) as { secret: string }).secret, driftSteps);
  keys.set(username, authenticator);
  const confirmed = await post('/auth/2fa/confirm', { enrolmentToken: problem.enrolmentToken, otp: await authenticator.code() });
  if (confirmed.status !== 200) return confirmed;
  return new Response(JSON.stringify(((await confirmed.json()) as { tokens: unknown }).tokens), { status: 200, headers: { 'content-type': 'application/json' } });
}
