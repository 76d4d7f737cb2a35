/*
 * The D-Bus side of the message port benchmark: method calls through a private dbus-daemon,
 * on libdbus (the reference client library). scripts/bench/ports_bench.ts compiles it with gcc.
 *
 *   _dbus_method_peer ADDRESS serve          own com.example.ipckit.PortBench and answer every
 *                                            Echo(ay) call with its argument; prints "ready"
 *   _dbus_method_peer ADDRESS call N SIZE    prints "ready", waits for a line on standard input,
 *                                            then makes N Echo calls of SIZE bytes one after
 *                                            another and prints the elapsed microseconds
 */
#define PEER "_dbus_method_peer"
#include "_dbus_peer_common.h"

#define NAME "com.example.ipckit.PortBench"
#define PATH "/com/example/ipckit/PortBench"
#define IFACE "com.example.ipckit.PortBench"

static int serve(DBusConnection *c) {
  DBusError error;
  dbus_error_init(&error);
  int owned = dbus_bus_request_name(c, NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &error);
  if (owned != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
    fprintf(stderr, "_dbus_method_peer: cannot own %s: %s\n", NAME,
            dbus_error_is_set(&error) ? error.message : "taken");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  while (dbus_connection_read_write(c, -1)) {
    DBusMessage *m;
    while ((m = dbus_connection_pop_message(c)) != NULL) {
      if (dbus_message_is_method_call(m, IFACE, "Echo")) {
        DBusMessageIter in, array, out, sub;
        const unsigned char *bytes = NULL;
        int n = 0;
        if (dbus_message_iter_init(m, &in) &&
            dbus_message_iter_get_arg_type(&in) == DBUS_TYPE_ARRAY) {
          dbus_message_iter_recurse(&in, &array);
          dbus_message_iter_get_fixed_array(&array, &bytes, &n);
        }
        DBusMessage *reply = dbus_message_new_method_return(m);
        dbus_message_iter_init_append(reply, &out);
        dbus_message_iter_open_container(&out, DBUS_TYPE_ARRAY, "y", &sub);
        dbus_message_iter_append_fixed_array(&sub, DBUS_TYPE_BYTE, &bytes, n);
        dbus_message_iter_close_container(&out, &sub);
        dbus_connection_send(c, reply, NULL);
        dbus_message_unref(reply);
      }
      dbus_message_unref(m);
    }
  }
  return 0;
}

static int call(DBusConnection *c, long count, long size) {
  unsigned char *data = calloc(size > 0 ? size : 1, 1);
  printf("ready\n");
  fflush(stdout);
  char line[16];
  if (!fgets(line, sizeof line, stdin)) return 1;
  double start = now_us();
  for (long i = 0; i < count; i++) {
    DBusMessage *m = dbus_message_new_method_call(NAME, PATH, IFACE, "Echo");
    DBusMessageIter out, sub;
    dbus_message_iter_init_append(m, &out);
    dbus_message_iter_open_container(&out, DBUS_TYPE_ARRAY, "y", &sub);
    const unsigned char *p = data;
    dbus_message_iter_append_fixed_array(&sub, DBUS_TYPE_BYTE, &p, (int)size);
    dbus_message_iter_close_container(&out, &sub);
    DBusError error;
    dbus_error_init(&error);
    DBusMessage *reply = dbus_connection_send_with_reply_and_block(c, m, 30000, &error);
    dbus_message_unref(m);
    if (!reply) {
      fprintf(stderr, "_dbus_method_peer: Echo failed: %s\n", error.message);
      return 1;
    }
    dbus_message_unref(reply);
  }
  printf("%.0f\n", now_us() - start);
  fflush(stdout);
  free(data);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[2], "serve") == 0) return serve(open_bus(argv[1]));
  if (argc >= 5 && strcmp(argv[2], "call") == 0) {
    return call(open_bus(argv[1]), atol(argv[3]), atol(argv[4]));
  }
  fprintf(stderr, "usage: _dbus_method_peer ADDRESS serve | call N SIZE\n");
  return 2;
}
