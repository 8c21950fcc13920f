// The risk instruments sotp scores, by id, for the names people read.
import { ospDc, ospIic } from './osp.js';
import { rm2000s } from './rm2000.js';

const names: Record<string, string> = Object.fromEntries([rm2000s, ospDc, ospIic].map((i) => [i.id, i.name]));

/** The instrument's name (RM2000/S, OSP/DC, OSP/IIC), or its id when it is not one sotp knows. */
export function instrumentName(id: string): string {
  return names[id] ?? id;
}
