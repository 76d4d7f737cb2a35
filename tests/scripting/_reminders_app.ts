/**
 * A Reminders app over ../shared/testdata/sdef/real/Reminders.sdef — Apple's definition, not
 * written for ipckit — with a model in Cocoa's keys (`scriptingTitle`, `scriptingReminders`…).
 * Run as a process of its own; prints "ready" once it serves.
 *
 * @module
 */

import { serveScriptableApp } from "../../lib/scripting/mod.ts";

interface Reminder {
  scriptingUUID: string;
  scriptingTitle: string;
  scriptingNotes: string | null;
  scriptingCompleted: boolean;
  scriptingCompletionDate: Date | null;
  scriptingCreationDate: Date;
  scriptingDueDate: Date | null;
  scriptingLastModifiedDate: Date;
  scriptingRemindMeDate: Date | null;
  scriptingPriority: number;
  readonly scriptingContainer: List | undefined;
}

interface List {
  scriptingTitle: string;
  scriptingIdentifier: string;
  scriptingReminders: Reminder[];
  readonly scriptingContainer: Account;
}

interface Account {
  scriptingTitle: string;
  scriptingIdentifier: string;
  scriptingLists: List[];
}

const account: Account = {
  scriptingTitle: "iCloud",
  scriptingIdentifier: "A-1",
  scriptingLists: [],
};
let nextId = 1;

function list(title: string): List {
  return {
    scriptingTitle: title,
    scriptingIdentifier: `L-${title}`,
    scriptingReminders: [],
    get scriptingContainer() {
      return account;
    },
  };
}

function reminder(title: string, fields: Partial<Reminder> = {}): Reminder {
  const made = new Date("2026-01-01T00:00:00Z");
  const r: Reminder = {
    scriptingUUID: `R-${nextId++}`,
    scriptingTitle: title,
    scriptingNotes: null,
    scriptingCompleted: false,
    scriptingCompletionDate: null,
    scriptingCreationDate: made,
    scriptingDueDate: null,
    scriptingLastModifiedDate: made,
    scriptingRemindMeDate: null,
    scriptingPriority: 0,
    get scriptingContainer() {
      return account.scriptingLists.find((l) => l.scriptingReminders.includes(r));
    },
    ...fields,
  };
  return r;
}

const inbox = list("Reminders");
const work = list("Work");
account.scriptingLists.push(inbox, work);
inbox.scriptingReminders.push(reminder("Buy milk", { scriptingNotes: "two litres" }));
inbox.scriptingReminders.push(reminder("Call Ann", { scriptingCompleted: true }));
work.scriptingReminders.push(reminder("Send report", { scriptingPriority: 1 }));

const model = {
  scriptingAccounts: [account],
  get scriptingLists() {
    return account.scriptingLists;
  },
  get scriptingReminders() {
    return account.scriptingLists.flatMap((l) => l.scriptingReminders);
  },
  scriptingDefaultAccount: account,
  scriptingDefaultList: inbox,
};

const app = await serveScriptableApp({
  bundleId: "com.apple.reminders",
  name: "Reminders",
  definition: new URL("../../../shared/testdata/sdef/real/Reminders.sdef", import.meta.url),
  model,
  classes: {
    reminder: {
      create: (properties) => {
        const fields: Record<string, unknown> = {};
        if (typeof properties.name === "string") fields.scriptingTitle = properties.name;
        if (typeof properties.body === "string") fields.scriptingNotes = properties.body;
        if (typeof properties.priority === "number") fields.scriptingPriority = properties.priority;
        return reminder("New Reminder", fields as Partial<Reminder>);
      },
      // The application's reminders are every list's: a new one goes to the default list.
      insert: (container, key, object, index) => {
        const target = container === model ? inbox : container as List;
        const at = container === model ? target.scriptingReminders.length : index;
        void key;
        target.scriptingReminders.splice(at, 0, object as Reminder);
      },
    },
  },
});

Deno.addSignalListener("SIGTERM", () => {
  app.close().then(() => Deno.exit(0));
});
console.log("ready");
