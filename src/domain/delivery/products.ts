// Participants' work ("products"): which kinds of file are kept, decided from the type sniffed from the file's
// bytes. A file's name and the browser's content type are never trusted; the name only tells a Word 97–2003
// document from the other Office files that share its container format.

export interface SniffedType {
  ext: string;
  mime: string;
}

export interface ProductType {
  contentType: string;
  label: string;
}

const accepted: Record<string, ProductType> = {
  'application/pdf': { contentType: 'application/pdf', label: 'PDF' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'Word document',
  },
  'image/png': { contentType: 'image/png', label: 'PNG image' },
  'image/jpeg': { contentType: 'image/jpeg', label: 'JPEG image' },
};

/** Word 97–2003 (.doc) is an OLE compound file, a container Excel and installer files share. */
const compoundFile = 'application/x-cfb';
const legacyWord: ProductType = { contentType: 'application/msword', label: 'Word 97–2003 document' };

export const acceptedProductKinds = 'a PDF, a Word document (.docx or .doc), or a PNG or JPEG image';

/** The type a product is kept as, or why it is refused. `sniffed` is undefined when the bytes match no known type. */
export function productType(sniffed: SniffedType | undefined, fileName: string): ProductType | { refused: string } {
  const refused = (what: string) => ({ refused: `${what}: upload ${acceptedProductKinds}` });
  if (!sniffed) return refused('The file is not of a type this service keeps');
  if (sniffed.mime === compoundFile) return /\.doc$/i.test(fileName) ? legacyWord : refused('The file is an Office file that is not a Word document');
  return accepted[sniffed.mime] ?? refused(`The file’s contents are ${sniffed.ext.toUpperCase()}, whatever its name`);
}

export function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
