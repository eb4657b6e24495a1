/**
 * The films of vega-datasets' movies.json, indexed through the real event path: each film's
 * VideoCreated (pending) and then VideoTranscoded (ready) delivered to the catalog's queue handler.
 */

import { type MovieRecord, moviesToVideos, type VideoMetadata } from '../../../../../bench/search-data.ts';
import movies from '../../../../../node_modules/vega-datasets/data/movies.json';
import { deliver, event } from './service.ts';

export const FILMS: VideoMetadata[] = moviesToVideos(movies as MovieRecord[]);

export function film(title: string): VideoMetadata {
  const f = FILMS.find((v) => v.title === title);
  if (!f) throw new Error(`no film ${title}`);
  return f;
}

let loaded: Promise<void> | undefined;

/** Loads the films once per test file (each file has its own storage). */
export function loadFilms(): Promise<void> {
  loaded ??= (async () => {
    const created = FILMS.map((f) => event('VideoCreated', { ...f, status: 'pending' }));
    const ready = FILMS.map((f) =>
      event('VideoTranscoded', {
        videoId: f.videoId,
        jobId: `job_${f.videoId}`,
        durationSec: 5400,
        renditions: [],
      }),
    );
    for (const list of [created, ready])
      for (let i = 0; i < list.length; i += 100) await deliver(list.slice(i, i + 100));
  })();
  return loaded;
}
