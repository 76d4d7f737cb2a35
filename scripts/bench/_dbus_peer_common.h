/*
 * What the libdbus peers of the benchmarks (_dbus_peer.c, _dbus_method_peer.c,
 * _dbus_props_peer.c) share: the clock they time with and the way they join the private bus.
 * Each defines PEER, its name for error lines, before it includes this.
 */
#include <dbus/dbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static DBusConnection *open_bus(const char *address) {
  DBusError error;
  dbus_error_init(&error);
  DBusConnection *c = dbus_connection_open_private(address, &error);
  if (!c || !dbus_bus_register(c, &error)) {
    fprintf(stderr, PEER ": cannot connect to %s: %s\n", address, error.message);
    exit(1);
  }
  return c;
}
