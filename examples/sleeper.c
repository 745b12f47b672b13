/* sleeper: allocates a little, then waits to be signalled; reports the signal it got.
 *   sleeper [seconds] [handle]   with "handle" it catches SIGINT/SIGTERM and exits 42
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static void on_signal(int sig) { got = sig; }

int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 30;
  if (argc > 2 && strcmp(argv[2], "handle") == 0) {
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
  }
  /* volatile: the memory must really be touched, not optimised away */
  char *volatile p = malloc(1 << 20);
  memset(p, 1, 1 << 20);
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  for (int i = 0; i < seconds * 10 && !got; i++) usleep(100 * 1000);
  if (got) {
    fprintf(stderr, "sleeper: caught signal %d\n", (int)got);
    return 42;
  }
  return 0;
}
