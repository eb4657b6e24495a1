/**
 * Input options for the uploaded master, which is untrusted. ffmpeg picks a demuxer by content, and
 * some demuxers read other files: an "HLS playlist" or concat list upload can pull /etc/passwd or
 * internal URLs into the output (the classic ffmpeg SSRF/LFI), and the tty demuxer renders any text
 * as video. So the master may only be a local file in a real video container.
 */
export const ACCEPTED_CONTAINERS = [
  'mov',
  'matroska',
  'avi',
  'mpegts',
  'mpeg',
  'flv',
  'asf',
  'ogg',
  'mxf',
  'dv',
  'gif',
];

export function untrustedInputArgs(path: string): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', ACCEPTED_CONTAINERS.join(','), '-i', path];
}
