/**
 * Moved to server/kit/notify.ts (a layer below the actions). This re-export remains only for
 * server/jobs, which the lead is changing at the same time; new code imports from ../kit/notify.
 */
export * from '../kit/notify'
