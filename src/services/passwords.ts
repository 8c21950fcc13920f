// Password hashing: argon2id with the library's defaults (OWASP's recommended minimums).
import { hash, verify } from '@node-rs/argon2';

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
