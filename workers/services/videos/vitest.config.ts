import { serviceProject } from '../../../test/service-project.ts';
import { r2S3Recorder } from './test/support/r2-s3-recorder.ts';

export default serviceProject({
  dir: import.meta.dirname,
  bindings: {
    STORAGE_SIGNING_KEY: 'test-storage-signing-key',
    JOB_RETRY_BASE_SECONDS: '10',
  },
  // No network in tests: R2's S3 API is answered by a signature-checking stand-in.
  miniflare: {
    outboundService: r2S3Recorder,
    // The PLAYBACK binding's target: a placeholder without RPC, so claims take the "playback
    // failing" path (jobs in clear); test/jobs.encryption.test.ts binds stand-ins of its own.
    workers: [
      {
        name: 'playback',
        modules: true,
        script: 'export default { fetch() { return new Response(null, { status: 503 }) } }',
      },
    ],
  },
});
