/**
 * What a stored object is served as, decided from its key alone: the Content-Type a client or a
 * runner sent with the upload is never trusted, so nobody can store a page that then runs on this
 * origin. What the platform does not know is served as a download.
 */

export interface MediaType {
  contentType: string;
  /** Served with `Content-Disposition: attachment`: bytes to save, never to render. */
  attachment: boolean;
}

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  vtt: 'text/vtt',
  m3u8: 'application/vnd.apple.mpegurl',
  // fMP4 init segments and media segments of a video rendition; an audio rendition's are audio/mp4.
  mp4: 'video/mp4',
  m4s: 'video/mp4',
  m4a: 'audio/mp4',
  ts: 'video/mp2t',
  json: 'application/json',
};

const DOWNLOAD: MediaType = { contentType: 'application/octet-stream', attachment: true };

/** Keys below this prefix are uploaded originals: whatever their name, they are only downloaded. */
const MASTERS_PREFIX = 'masters/';

export function mediaTypeOf(key: string): MediaType {
  if (key.startsWith(MASTERS_PREFIX)) return DOWNLOAD;
  const segments = key.split('/');
  const name = segments.at(-1) ?? '';
  const dot = name.lastIndexOf('.');
  const type = dot > 0 ? BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined;
  if (!type) return DOWNLOAD;
  const folder = segments.at(-2)?.toLowerCase() ?? '';
  if (type === 'video/mp4' && folder.startsWith('audio'))
    return { contentType: 'audio/mp4', attachment: false };
  return { contentType: type, attachment: false };
}

/**
 * Images, subtitles/storyboard cues, playlists and media segments: what players and pages on other
 * origins embed (`<img>`, `<video>`, `<track>`), so they are served `Cross-Origin-Resource-Policy:
 * cross-origin`.
 */
export function isEmbeddableMedia(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('image/') ||
    type.startsWith('video/') ||
    type.startsWith('audio/') ||
    type === 'text/vtt' ||
    type === 'application/vnd.apple.mpegurl'
  );
}
