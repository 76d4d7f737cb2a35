/**
 * Watching the traffic (`ipckit monitor`): every notification, broker request and port message
 * while attached, as `dbus-monitor` shows a bus's.
 *
 * @module
 */

export {
  attachMonitor,
  Monitor,
  type MonitorBrokerCall,
  type MonitorEvent,
  type MonitorNotification,
  type MonitorOptions,
  type MonitorPortMessage,
} from "./monitor.ts";
