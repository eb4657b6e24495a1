import type { HandlerTable } from '../../../lib/api.ts';
import { ServiceEntrypoint } from '../../../lib/service.ts';

export interface Env {
  ENVIRONMENT: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  DB: D1Database;
  Q_ANALYTICS_EVENTS: Queue;
  Q_PROFILE_EVENTS: Queue;
}

export default class AuthService extends ServiceEntrypoint<Env> {
  protected readonly routes: HandlerTable<Env> = {};

  protected readyChecks() {
    return { d1: () => this.env.DB.prepare('SELECT 1').first() };
  }
}
