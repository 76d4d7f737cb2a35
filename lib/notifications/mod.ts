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
  type DroppedRecord,
  type GapRecord,
  getState,
  listStates,
  type NameState,
  type Notification,
  NotificationCenter,
  type NotificationEvent,
  NotificationObserver,
  observeNotifications,
  type ObserveOptions,
  type PostFields,
  postNotification,
  type PostOptions,
  setState,
  SUSPENSION_BEHAVIORS,
  type SuspensionBehavior,
} from "./center.ts";
