/**
 * Distributed notifications, as `NSDistributedNotificationCenter` and notify(3) have them:
 * post a name with a payload, observe names and patterns, keep a 64-bit state per name.
 *
 * @example Post and observe
 * ```ts
 * import { observeNotifications, postNotification } from "ipckit/notifications/mod.ts";
 * const observer = await observeNotifications({ names: "com.example.*" });
 * await postNotification("com.example.ping", { object: "demo", userInfo: { n: 1n } });
 * for await (const event of observer) {
 *   if (event.type === "notification") console.log(event.name, event.userInfo);
 *   break;
 * }
 * observer.close();
 * ```
 *
 * @module
 */

export {
  type CenterOptions,
  defaultCenter,
  getState,
  NotificationCenter,
  observeNotifications,
  type ObserveOptions,
  type PostFields,
  postNotification,
  type PostOptions,
  setState,
  SUSPENSION_BEHAVIORS,
  type SuspensionBehavior,
} from "./center.ts";
export {
  type DroppedRecord,
  type GapRecord,
  type Notification,
  type NotificationEvent,
  NotificationObserver,
  type PosterMark,
  type PosterRange,
} from "./observer.ts";
export {
  getStateOnce,
  listStates,
  type NameState,
  type OnceOptions,
  postOnce,
  type PostOnceOptions,
  setStateOnce,
} from "./once.ts";
