// Prison numbers (a letter, four digits, two letters: A1234BC) and the test that keeps them out of
// pseudonymised data. The test normalises first, so padding, odd case or look-alike characters do not
// let a prison number pass as a pseudonym.

const prisonNumberShape = /^[A-Z][0-9]{4}[A-Z]{2}$/;

/** The text as a prison number would be compared: Unicode compatibility form, no whitespace, upper case. */
export function normalisedPrisonNumber(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u200B-\u200D\uFEFF]/gu, '')
    .toUpperCase();
}

/** True when the text is, or once normalised would be, a prison number. */
export function looksLikePrisonNumber(text: string): boolean {
  return prisonNumberShape.test(normalisedPrisonNumber(text));
}
