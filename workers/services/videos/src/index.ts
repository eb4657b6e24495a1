import type { HandlerTable } from '../../../lib/api.ts';
import { ServiceEntrypoint } from '../../../lib/service.ts';

export interface Env {
  ENVIRONMENT: string;
  DB: D1Database;
  MEDIA: R2Bucket;
}

export default class VideosService extends ServiceEntrypoint<Env> {
  protected readonly routes: HandlerTable<Env> = {};

  protected readyChecks() {
    return {
      d1: () => this.env.DB.prepare('SELECT 1').first(),
      r2: () => this.env.MEDIA.head('readyz'),
    };
  }
}
