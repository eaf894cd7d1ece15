import type { Store } from '../db/store'
import type { DatabaseEngine } from '../db/engine'
import type { Clock } from '../clock'
import type { FunctionHost, InvocationRecord } from '../functions/host'
import type { Scheduler } from '../timers/scheduler'
import type { FileStorage } from '../storage'
import type { ClientRules } from '../rules'
import type { OpenApiFault } from '../openapi'
import type { SubscribeGrants } from '../subscribe-grants'
import type { OpenApiLog } from '../openapi-log'

/**
 * The emulator's shared state as the surfaces see it. `LocalCloudBase` owns it and hands the
 * same object to every surface, so no surface imports the server (and none imports another's
 * state).
 */
export interface Emulator {
  readonly envId: string
  readonly store: Store
  readonly db: DatabaseEngine
  readonly clock: Clock
  readonly host: FunctionHost
  readonly scheduler: Scheduler
  readonly storage: FileStorage
  readonly rules: ClientRules
  readonly grants: SubscribeGrants
  readonly openApiLog: OpenApiLog
  /** Injected open API failures (POST /gateway/openapi/faults). */
  readonly faults: OpenApiFault[]
  /** TCB API requests by action, for benchmarks ("database calls are the platform's bill"). */
  readonly counters: Record<string, number>
  /** The last invocation of each timer (function/trigger), for the gateway's run answer. */
  readonly lastTimerRun: Map<string, InvocationRecord>
  /** http://127.0.0.1:<port> once started: signed URLs and the console name it. */
  baseUrl(): string
  /** Log one line per TCB API request to stderr. */
  readonly verbose: boolean
  readonly consoleHtml: string | undefined
}
