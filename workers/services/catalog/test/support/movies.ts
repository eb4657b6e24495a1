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

const BATCH = 100;
const LANES = 6;

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
    // Several queue batches in flight at once, as a queue with concurrent consumers delivers them:
    // each message still goes through the consumer's own handler, one D1 round trip after another,
    // and the wait for one batch's round trips is another batch's turn. Every film is created
    // before any is transcoded.
    for (const list of [created, ready]) {
      const batches: unknown[][] = [];
      for (let i = 0; i < list.length; i += BATCH) batches.push(list.slice(i, i + BATCH));
      let next = 0;
      const lane = async () => {
        while (next < batches.length) await deliver(batches[next++]!);
      };
      await Promise.all(Array.from({ length: LANES }, lane));
    }
  })();
  return loaded;
}
