/* plateau: climbs to a heap of `blocks` blocks of 256 KiB at once, holds it, then adds one
 * block more (a rise smaller than the peak watcher's 3% step) and holds that: the heap's
 * peak is the second plateau. Frees everything before it exits.
 *   plateau [blocks] [hold-ms]     (defaults 40 300)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK_BYTES (256 * 1024)

/* Published through a volatile pointer so the compiler cannot drop the allocations. */
static char *volatile *volatile sink;

/* Sleeps `ms` without allocating: the watcher thread polls meanwhile. */
static void hold(long ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}

static char *touched_block(void) {
  char *block = malloc(BLOCK_BYTES);
  if (!block) { perror("malloc"); exit(3); }
  memset(block, 1, BLOCK_BYTES);
  return block;
}

int main(int argc, char **argv) {
  int blocks = argc > 1 ? atoi(argv[1]) : 40;
  long hold_ms = argc > 2 ? atol(argv[2]) : 300;
  char **all = calloc((size_t)blocks + 1, sizeof *all);
  if (!all) return 3;
  sink = all;
  for (int i = 0; i < blocks; i++) all[i] = touched_block();
  hold(hold_ms);
  all[blocks] = touched_block();
  hold(hold_ms);
  for (int i = 0; i <= blocks; i++) free(all[i]);
  free(all);
  return 0;
}
