// Types for fxa-common-password-list (Mozilla's check against the most common passwords), which ships none.
declare module 'fxa-common-password-list' {
  const commonPasswords: { test(password: string): boolean };
  export default commonPasswords;
}
