/*
 * The D-Bus side of the notification benchmark, on libdbus (the reference client library),
 * talking to a private dbus-daemon. scripts/bench/notifications_bench.ts compiles it with gcc.
 *
 *   _dbus_peer ADDRESS echo          answer every Ping signal with a Pong signal
 *   _dbus_peer ADDRESS ping N        N ping-pongs, one at a time; prints each round trip in µs
 *   _dbus_peer ADDRESS count M       wait for M Tick signals; prints "done"
 *   _dbus_peer ADDRESS tick N        emit N Tick signals as fast as the bus takes them
 *
 * Every mode prints "ready" once its match rule is in place.
 */
#define PEER "_dbus_peer"
#include "_dbus_peer_common.h"

#define PATH "/com/example/ipckit/Bench"
#define IFACE "com.example.ipckit.Bench"

static void match(DBusConnection *c, const char *member) {
  DBusError error;
  dbus_error_init(&error);
  char rule[256];
  snprintf(rule, sizeof rule, "type='signal',interface='" IFACE "',member='%s'", member);
  dbus_bus_add_match(c, rule, &error);
  if (dbus_error_is_set(&error)) {
    fprintf(stderr, "_dbus_peer: AddMatch failed: %s\n", error.message);
    exit(1);
  }
}

static void emit(DBusConnection *c, const char *member, dbus_uint64_t seq) {
  DBusMessage *m = dbus_message_new_signal(PATH, IFACE, member);
  dbus_message_append_args(m, DBUS_TYPE_UINT64, &seq, DBUS_TYPE_INVALID);
  dbus_connection_send(c, m, NULL);
  dbus_message_unref(m);
}

/* Blocks until a signal named `member` arrives; returns its sequence number. */
static dbus_uint64_t wait_for(DBusConnection *c, const char *member) {
  for (;;) {
    DBusMessage *m = dbus_connection_pop_message(c);
    if (!m) {
      if (!dbus_connection_read_write(c, -1)) {
        fprintf(stderr, "_dbus_peer: the bus went away\n");
        exit(1);
      }
      continue;
    }
    if (dbus_message_is_signal(m, IFACE, member)) {
      dbus_uint64_t seq = 0;
      dbus_message_get_args(m, NULL, DBUS_TYPE_UINT64, &seq, DBUS_TYPE_INVALID);
      dbus_message_unref(m);
      return seq;
    }
    dbus_message_unref(m);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: _dbus_peer ADDRESS echo|ping N|count M|tick N\n");
    return 2;
  }
  DBusConnection *c = open_bus(argv[1]);
  const char *mode = argv[2];
  long n = argc > 3 ? atol(argv[3]) : 0;
  if (strcmp(mode, "echo") == 0) {
    match(c, "Ping");
    printf("ready\n");
    fflush(stdout);
    for (;;) {
      dbus_uint64_t seq = wait_for(c, "Ping");
      emit(c, "Pong", seq);
      dbus_connection_flush(c);
    }
  } else if (strcmp(mode, "ping") == 0) {
    match(c, "Pong");
    printf("ready\n");
    fflush(stdout);
    for (long i = 0; i < n; i++) {
      double start = now_us();
      emit(c, "Ping", (dbus_uint64_t)i);
      dbus_connection_flush(c);
      while (wait_for(c, "Pong") != (dbus_uint64_t)i) {
      }
      printf("%.1f\n", now_us() - start);
    }
    fflush(stdout);
  } else if (strcmp(mode, "count") == 0) {
    match(c, "Tick");
    printf("ready\n");
    fflush(stdout);
    for (long i = 0; i < n; i++) wait_for(c, "Tick");
    printf("done\n");
    fflush(stdout);
  } else if (strcmp(mode, "tick") == 0) {
    printf("ready\n");
    fflush(stdout);
    for (long i = 0; i < n; i++) emit(c, "Tick", (dbus_uint64_t)i);
    dbus_connection_flush(c);
    printf("done\n");
    fflush(stdout);
  } else {
    fprintf(stderr, "_dbus_peer: unknown mode %s\n", mode);
    return 2;
  }
  dbus_connection_close(c);
  dbus_connection_unref(c);
  return 0;
}
