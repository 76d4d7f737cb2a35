/**
 * Services, the launchd and XPC way: definitions in YAML (`definition.ts`), the broker's
 * manager that starts them on demand (`service.ts`), and the library's two sides of a
 * connection — {@linkcode connectService} for clients, {@linkcode checkIn} for the service.
 *
 * @example A service and its client
 * ```ts ignore
 * // service.ts, declared in ~/.config/ipckit/services/length.yaml:
 * //   label: com.example.length
 * //   programArguments: [deno, run, -A, /path/to/service.ts]
 * //   ports: [com.example.length]
 * import { checkIn } from "./mod.ts";
 * await checkIn((message) => ({ length: String((message as { text: string }).text).length }));
 *
 * // client.ts: the first message starts the service.
 * import { connectService } from "./mod.ts";
 * const service = connectService("com.example.length");
 * service.addEventListener("interrupted", () => console.error("restarting on the next message"));
 * console.log(await service.send({ text: "hello" })); // { length: 5 }
 * service.close();
 * ```
 *
 * @module
 */

export {
  Activity,
  type ActivityHandler,
  checkIn,
  type CheckInOptions,
  type LaunchEventNotification,
  type MessageHandler,
  ServiceCheckIn,
} from "./check_in.ts";
export {
  connectService,
  type ConnectServiceOptions,
  ServiceConnection,
  type ServiceSendOptions,
} from "./connection.ts";
export { ServiceInvalidError } from "../errors.ts";
export {
  type CalendarInterval,
  DefinitionError,
  type DefinitionResult,
  type KeepAliveConditions,
  type LaunchEvent,
  parseDefinition,
  type ProcessType,
  readDefinition,
  type ServiceDefinition,
} from "./definition.ts";
export { servicesDir } from "../broker/demand.ts";
export type { ActivityCriteria, ActivityInfo, JobInfo, JobState, JobSummary } from "./protocol.ts";
