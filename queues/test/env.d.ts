declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      Q_ANALYTICS_EVENTS: Queue;
      Q_CATALOG_EVENTS: Queue;
      Q_PROFILE_EVENTS: Queue;
      Q_RECS_EVENTS: Queue;
      Q_VIDEOS_EVENTS: Queue;
    }
  }
}

export {};
