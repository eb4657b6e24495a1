/** Deleting every object under a key prefix, page by page (R2 lists and deletes up to 1,000 at once). */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
    const doomed = page.objects.map((o) => o.key);
    if (doomed.length) await bucket.delete(doomed);
    deleted += doomed.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** Everything one video owns in R2. */
export function videoPrefixes(videoId: string): string[] {
  return [`masters/${videoId}/`, `renditions/${videoId}/`, `public/posters/${videoId}/`];
}
