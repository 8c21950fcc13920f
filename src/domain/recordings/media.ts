// Which files are accepted as session recordings, judged by what the file itself declares (its container and
// tracks, read by a media parser), never by its name or the uploader's say-so.

export interface MediaFacts {
  /** The container as the parser names it, e.g. `EBML/webm`, `EBML/matroska`, `isom/iso2/avc1/mp41`, `qt`. */
  container: string | undefined;
  hasVideo: boolean;
  durationSeconds: number | undefined;
}

export type MediaType = 'video/webm' | 'video/x-matroska' | 'video/mp4' | 'video/quicktime';

export interface AcceptedVideo {
  format: string;
  mediaType: MediaType;
  extension: 'webm' | 'mkv' | 'mp4' | 'mov';
  durationMs: number;
}

export type VideoVerdict = { accepted: true; video: AcceptedVideo } | { accepted: false; reason: string };

/** MP4's brands (isom, mp41, avc1 …) name the family; QuickTime files say `qt`. */
function containerType(container: string): Pick<AcceptedVideo, 'mediaType' | 'extension'> | undefined {
  const name = container.toLowerCase();
  if (name === 'ebml/webm') return { mediaType: 'video/webm', extension: 'webm' };
  if (name === 'ebml/matroska') return { mediaType: 'video/x-matroska', extension: 'mkv' };
  const brands = name.split('/').map((b) => b.trim());
  if (brands.includes('qt')) return { mediaType: 'video/quicktime', extension: 'mov' };
  if (brands.some((b) => /^(isom|iso\d|mp4\d|avc1|dash|m4v)$/.test(b))) return { mediaType: 'video/mp4', extension: 'mp4' };
  return undefined;
}

export function judgeVideo(facts: MediaFacts): VideoVerdict {
  const type = facts.container ? containerType(facts.container) : undefined;
  if (!type || !facts.hasVideo) return { accepted: false, reason: 'The file is not a video: upload the session’s recording as MP4, WebM or Matroska' };
  if (facts.durationSeconds === undefined || !(facts.durationSeconds > 0)) {
    return { accepted: false, reason: 'The video’s length could not be read from the file: it may be damaged or still being written' };
  }
  return { accepted: true, video: { format: facts.container!, ...type, durationMs: Math.max(1, Math.round(facts.durationSeconds * 1000)) } };
}
