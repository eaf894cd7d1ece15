/**
 * Moved to server/kit/context.ts (a layer below the actions). This re-export remains only for
 * server/jobs, which the lead is changing at the same time; new code imports from ../kit/context.
 */
export * from '../kit/context'
