// Password hashing (argon2id) and the refusal of common passwords. No composition rules: length and
// not-common are what actually make a password hard to guess (NIST SP 800-63B).
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// ~49,000 passwords ranked by how often they appear in breaches, shipped inside the package: no network.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (dictionary['passwords-common'] as string[]).map((password) => password.toLowerCase()),
);

export function commonPasswordCount(): number {
  return COMMON_PASSWORDS.size;
}

/** Why this password may not be used, in words for the person choosing it; undefined when it is fine. */
export function passwordProblem(password: string, username: string): string | undefined {
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered) || COMMON_PASSWORDS.has(lowered.replace(/\d+$/, ''))) {
    return 'That password is one of the most common ones, so it is easy to guess. Please choose another.';
  }
  if (lowered.includes(username.toLowerCase())) {
    return 'Please choose a password that does not contain your username.';
  }
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Login checks an unknown username against this hash, so it takes as long as a wrong password does.
let dummyHash: Promise<string> | undefined;
export function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('kindred-timing-equaliser-not-a-real-password');
  return dummyHash;
}
