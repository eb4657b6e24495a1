/** SQL files are bundled as text (wrangler's and the test pool's default module rules). */
declare module '*.sql' {
  const text: string;
  export default text;
}
