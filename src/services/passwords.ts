// Password hashing (argon2id with the library's defaults, OWASP's recommended minimums) and the rules for a new
// password: long enough, and not one of the passwords attackers try first.
import { hash, verify } from '@node-rs/argon2';
import commonPasswords from 'fxa-common-password-list';
import { z } from 'zod';

/** A new password: at least 12 characters, and not on Mozilla's list of common passwords (from OWASP SecLists). */
export const newPassword = (what = 'password') =>
  z
    .string({ error: `Enter a ${what}` })
    .min(12, `${what[0].toUpperCase()}${what.slice(1)} must be at least 12 characters`)
    .max(200, `${what[0].toUpperCase()}${what.slice(1)} must be 200 characters or fewer`)
    .refine((p) => !commonPasswords.test(p), 'Choose a password that is not one of the most commonly used passwords');

export const hashPassword = (password: string): Promise<string> => hash(password);

export async function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified against when the user name is unknown, so a miss costs the same time as a wrong password.
export const unknownUserHash = '$argon2id$v=19$m=19456,t=2,p=1$TK2sNi/CZIgq/qM0MWb2Fg$jwnHckh20pz+GK2LI8KiTGF51FnB8I01u6XAdrpj3AU';
