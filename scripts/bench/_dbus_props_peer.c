/*
 * The D-Bus side of the scripting benchmark: reading one property of an object through a
 * private dbus-daemon with org.freedesktop.DBus.Properties.Get, on libdbus (the reference
 * client library). scripts/bench/scripting_bench.ts compiles it with gcc.
 *
 *   _dbus_props_peer ADDRESS serve     own com.example.ipckit.Orchard and answer
 *                                      Properties.Get(s interface, s name) with the string
 *                                      "Bramley" in a variant; prints "ready"
 *   _dbus_props_peer ADDRESS call N    prints "ready", waits for a line on standard input,
 *                                      then makes N Get calls one after another and prints
 *                                      the elapsed microseconds
 */
#define PEER "_dbus_props_peer"
#include "_dbus_peer_common.h"

#define NAME "com.example.ipckit.Orchard"
#define PATH "/com/example/ipckit/Orchard/Tree/1"
#define IFACE "com.example.ipckit.Orchard.Tree"
#define PROPS "org.freedesktop.DBus.Properties"

static int serve(DBusConnection *c) {
  DBusError error;
  dbus_error_init(&error);
  int owned = dbus_bus_request_name(c, NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &error);
  if (owned != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
    fprintf(stderr, "_dbus_props_peer: cannot own %s\n", NAME);
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  const char *value = "Bramley";
  while (dbus_connection_read_write(c, -1)) {
    DBusMessage *m;
    while ((m = dbus_connection_pop_message(c)) != NULL) {
      if (dbus_message_is_method_call(m, PROPS, "Get")) {
        const char *iface = NULL, *prop = NULL;
        dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop,
                              DBUS_TYPE_INVALID);
        DBusMessage *reply = dbus_message_new_method_return(m);
        DBusMessageIter out, variant;
        dbus_message_iter_init_append(reply, &out);
        dbus_message_iter_open_container(&out, DBUS_TYPE_VARIANT, "s", &variant);
        dbus_message_iter_append_basic(&variant, DBUS_TYPE_STRING, &value);
        dbus_message_iter_close_container(&out, &variant);
        dbus_connection_send(c, reply, NULL);
        dbus_message_unref(reply);
      }
      dbus_message_unref(m);
    }
  }
  return 0;
}

static int call(DBusConnection *c, long count) {
  printf("ready\n");
  fflush(stdout);
  char line[16];
  if (!fgets(line, sizeof line, stdin)) return 1;
  const char *iface = IFACE, *prop = "Name";
  double start = now_us();
  for (long i = 0; i < count; i++) {
    DBusMessage *m = dbus_message_new_method_call(NAME, PATH, PROPS, "Get");
    dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop,
                             DBUS_TYPE_INVALID);
    DBusError error;
    dbus_error_init(&error);
    DBusMessage *reply = dbus_connection_send_with_reply_and_block(c, m, 30000, &error);
    dbus_message_unref(m);
    if (!reply) {
      fprintf(stderr, "_dbus_props_peer: Get failed: %s\n", error.message);
      return 1;
    }
    DBusMessageIter in, variant;
    const char *got = NULL;
    if (dbus_message_iter_init(reply, &in) &&
        dbus_message_iter_get_arg_type(&in) == DBUS_TYPE_VARIANT) {
      dbus_message_iter_recurse(&in, &variant);
      dbus_message_iter_get_basic(&variant, &got);
    }
    if (!got || strcmp(got, "Bramley") != 0) {
      fprintf(stderr, "_dbus_props_peer: Get answered something else\n");
      return 1;
    }
    dbus_message_unref(reply);
  }
  printf("%.0f\n", now_us() - start);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[2], "serve") == 0) return serve(open_bus(argv[1]));
  if (argc >= 4 && strcmp(argv[2], "call") == 0) return call(open_bus(argv[1]), atol(argv[3]));
  fprintf(stderr, "usage: _dbus_props_peer ADDRESS serve | call N\n");
  return 2;
}
