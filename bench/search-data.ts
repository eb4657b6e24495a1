/**
 * The catalog's realistic data: the films of vega-datasets' data/movies.json (≈3,200, with genre,
 * release date, director, source, ratings) as video metadata, and a deterministic generator that
 * grows them to any number of documents for the search benchmark.
 *
 * The generator (`syntheticVideos(movies, n, seed)`): a seeded PRNG (mulberry32) builds each new
 * title from 1–4 words drawn from the real titles' vocabulary (so term frequencies follow real
 * titles, Zipf-like), sometimes with a sequel number; genre, source, creative type, director and
 * distributor are drawn from the real films; the year uniformly from 1920–2025. The same seed and
 * count always give the same documents. Used by the tests (in workerd) and by bench/search.ts.
 */

export interface MovieRecord {
  Title: string | number | null;
  'Release Date': string | null;
  'MPAA Rating': string | null;
  Distributor: string | null;
  Source: string | null;
  'Major Genre': string | null;
  'Creative Type': string | null;
  Director: string | null;
  'IMDB Rating': number | null;
  'IMDB Votes': number | null;
}

export interface VideoMetadata {
  videoId: string;
  title: string;
  description: string;
  tags: string[];
  genres: string[];
  releaseYear?: number;
  status: string;
}

/**
 * The data set's accented letters went through a Mac Roman / Latin-1 mix-up ("AmÈlie" for
 * "Amélie"); these are the characters it holds, mapped back.
 */
const MOJIBAKE: Record<string, string> = {
  È: 'é',
  Í: 'ê',
  '˘': 'ù',
  Ö: '…',
  Ω: '½',
  Û: 'ó',
  '‰': 'ä',
  '‡': 'à',
  Ë: 'è',
  '·': 'á',
  Ù: 'ô',
  Î: 'ë',
};

export function repairText(s: string): string {
  return s.replace(/[ÈÍ˘ÖΩÛ‰‡Ë·ÙÎ]/g, (c) => MOJIBAKE[c] ?? c);
}

/** "Jun 12 1998" → 1998; the set's two-digit years of the 1900s came out a century late. */
function yearOf(date: string | null): number | undefined {
  const y = Number(/(\d{4})$/.exec(date ?? '')?.[1]);
  if (!y) return undefined;
  return y > 2012 ? y - 100 : y;
}

function text(v: unknown): string | undefined {
  return v === null || v === undefined || v === '' ? undefined : repairText(String(v));
}

export function movieId(i: number): string {
  return `vid_movie${String(i).padStart(5, '0')}`;
}

export function movieToVideo(m: MovieRecord, i: number): VideoMetadata {
  const director = text(m.Director);
  const source = text(m.Source);
  const creative = text(m['Creative Type']);
  const distributor = text(m.Distributor);
  const rated = text(m['MPAA Rating']);
  const genre = text(m['Major Genre']);
  const sentences = [
    creative || source ? `${[creative, source].filter(Boolean).join(', ')}.` : undefined,
    director ? `Directed by ${director}.` : undefined,
    distributor ? `Released by ${distributor}.` : undefined,
    rated ? `Rated ${rated}.` : undefined,
  ].filter(Boolean);
  const releaseYear = yearOf(m['Release Date']);
  return {
    videoId: movieId(i),
    title: text(m.Title) ?? `Untitled ${i}`,
    description: sentences.join(' '),
    tags: [creative, source, director].filter((t): t is string => Boolean(t)),
    genres: genre ? [genre] : [],
    ...(releaseYear ? { releaseYear } : {}),
    status: 'ready',
  };
}

export function moviesToVideos(movies: MovieRecord[]): VideoMetadata[] {
  return movies.map(movieToVideo);
}

/** mulberry32: a small, fast, seeded PRNG (same seed, same sequence). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticId(i: number): string {
  return `vid_synth${String(i).padStart(7, '0')}`;
}

/** `n` generated videos grown from the films (ids vid_synth0000000…), the same for the same seed. */
export function syntheticVideos(films: VideoMetadata[], n: number, seed = 13): VideoMetadata[] {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // Title words with their real frequency: drawing from the list repeats common words more often.
  const words = films.flatMap((f) => f.title.split(/\s+/).filter((w) => /^[\p{L}\p{N}'’-]+$/u.test(w)));
  const out: VideoMetadata[] = [];
  for (let i = 0; i < n; i++) {
    const like = pick(films);
    const other = pick(films);
    const length = 1 + Math.floor(rnd() * 4);
    const title =
      Array.from({ length }, () => pick(words)).join(' ') +
      (rnd() < 0.1 ? ` ${2 + Math.floor(rnd() * 4)}` : '');
    const director = like.tags.at(-1);
    const description = [like.description, other.description.split('. ').at(-1)].filter(Boolean).join(' ');
    out.push({
      videoId: syntheticId(i),
      title,
      description,
      tags: [...new Set([...like.tags.slice(0, 2), ...(director && rnd() < 0.5 ? [director] : [])])],
      genres: [...new Set([...like.genres, ...(rnd() < 0.2 ? other.genres : [])])],
      releaseYear: 1920 + Math.floor(rnd() * 106),
      status: 'ready',
    });
  }
  return out;
}
