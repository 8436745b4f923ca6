// Recovery codes: ten single-use codes a member keeps somewhere safe, the only way back in without email.
// Shown once (at sign-up, or when renewed) and stored only as hashes.
//
// Why SHA-256 and not argon2 like passwords: a code is 16 characters drawn uniformly by the CSPRNG from an
// alphabet of 30, about 78 bits, where a password is a few dozen bits a person chose. Slow hashing exists to
// make guessing a person's choice expensive; guessing 2^78 possibilities is out of reach at any hash speed,
// so argon2 would add nothing but cost (ten hashes at sign-up, ten checks per recovery try, a lever for
// anyone wanting to tire the server). Each hash is salted with the member's id, so no table of precomputed
// hashes serves two members. A keyed hash (HMAC) would need a server secret, which Kindred does not have.
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { schema, type Database } from '@kindred/db';
import { and, eq, isNull } from 'drizzle-orm';

const { recoveryCodes } = schema;

/** Digits and capitals with no look-alikes: no 0/O, 1/I/L, and no U (read as V). */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 16;
export const RECOVERY_CODE_COUNT = 10;

/** A code as a person reads it: four groups of four (`7KQM-R3XD-9HWT-F4NP`). */
function newCode(): string {
  const chars: string[] = [];
  while (chars.length < CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(CODE_LENGTH * 2))) {
      // 240 is the largest multiple of 30 in a byte: anything above would favour the first letters.
      if (byte < 240 && chars.length < CODE_LENGTH) chars.push(ALPHABET[byte % ALPHABET.length]!);
    }
  }
  return chars.join('').replace(/(.{4})(?!$)/g, '$1-');
}

/** What a person typed, as the code it means: case, spaces and hyphens do not matter. */
function normalizeCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]+/g, '');
}

function hashCode(userId: string, typed: string): Uint8Array {
  return sha256(new TextEncoder().encode(`${userId}:${normalizeCode(typed)}`));
}

/** Hashes that no code matches, compared when no member has the name, so the answer takes as long. */
const DUMMY_HASHES = Array.from({ length: RECOVERY_CODE_COUNT }, () => hashCode('none', newCode()));

/** A fresh set of codes for the member: the old set, used or not, stops working. Returns the codes. */
export async function replaceRecoveryCodes(db: Database, userId: string, at: Date): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx
      .insert(recoveryCodes)
      .values(codes.map((code) => ({ userId, codeHash: hashCode(userId, code), createdAt: at })));
  });
  return codes;
}

/** How many unused codes the member has, and when the set was made. */
export async function recoveryCodesState(db: Database, userId: string) {
  const rows = await db
    .select({ createdAt: recoveryCodes.createdAt, usedAt: recoveryCodes.usedAt })
    .from(recoveryCodes)
    .where(eq(recoveryCodes.userId, userId));
  return {
    remaining: rows.filter((row) => row.usedAt === null).length,
    createdAt: rows[0]?.createdAt.toISOString() ?? null,
  };
}

/**
 * The id of the member's unused code that matches what was typed, or undefined. Every stored hash is
 * compared, in constant time, with no early return; with no member (`userId` undefined) dummies stand in.
 */
export async function findRecoveryCode(
  db: Database,
  userId: string | undefined,
  typed: string,
): Promise<string | undefined> {
  const rows = await db
    .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    // With no member the query still runs (on an id no row has), so both answers cost the same.
    .where(
      and(eq(recoveryCodes.userId, userId ?? '00000000-0000-0000-0000-000000000000'), isNull(recoveryCodes.usedAt)),
    );
  const candidates = userId ? rows : DUMMY_HASHES.map((codeHash) => ({ id: undefined, codeHash }));
  const typedHash = hashCode(userId ?? 'none', typed);
  let found: string | undefined;
  for (const row of candidates) {
    if (constantTimeEqual(typedHash, row.codeHash) && row.id) found = row.id;
  }
  return found;
}

/**
 * Spends a code, inside the caller's transaction: true for the one caller that spent it. Two recoveries
 * with one code at once both reach this UPDATE; the second waits on the row and then finds it used.
 */
export async function spendRecoveryCode(tx: Database, codeId: string, at: Date): Promise<boolean> {
  const spent = await tx
    .update(recoveryCodes)
    .set({ usedAt: at })
    .where(and(eq(recoveryCodes.id, codeId), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return spent.length === 1;
}
