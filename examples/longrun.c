/* longrun: a long-running service in miniature, for live-process dumps (allocrun dump,
 * prof, stats, watch). Every tick it keeps one more block from grow_site (the leak to
 * find), while keep_site holds one block from the start and a churn thread allocates and
 * frees small blocks all the time (so an attach often lands near the allocator).
 * Exits normally (status 0, atexit handlers run, so final profiles are written) on
 * SIGTERM or SIGINT, or after the given number of seconds.
 *
 * usage: longrun [seconds=60] [tick_ms=50] [block_bytes=262144] */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void request_stop(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

__attribute__((noinline)) void *grow_site(size_t bytes) {
  char *block = malloc(bytes);
  if (block != NULL) memset(block, 0x5a, bytes);
  return block;
}

__attribute__((noinline)) void *keep_site(size_t bytes) {
  char *block = malloc(bytes);
  if (block != NULL) memset(block, 0x4b, bytes);
  return block;
}

static void *churn(void *unused) {
  (void)unused;
  void *blocks[64];
  while (!stop_requested) {
    for (int i = 0; i < 64; i++) blocks[i] = malloc(32 + (size_t)i * 16);
    for (int i = 0; i < 64; i++) free(blocks[i]);
    usleep(1000);
  }
  return NULL;
}

/* Sleeps `ms`, resuming after interruptions (a debugger attaching, a signal) unless a
 * stop was requested. */
static void sleep_ms(long ms) {
  struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) != 0 && errno == EINTR && !stop_requested) {
  }
}

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 60;
  long tick_ms = argc > 2 ? atol(argv[2]) : 50;
  size_t block_bytes = argc > 3 ? (size_t)atol(argv[3]) : 262144;

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);

  size_t capacity = 1024, count = 0;
  void **kept = malloc(capacity * sizeof *kept);
  void *held = keep_site(4 * block_bytes);
  pthread_t churner;
  pthread_create(&churner, NULL, churn, NULL);

  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  printf("longrun: pid %d running\n", (int)getpid());
  fflush(stdout);
  while (!stop_requested && seconds_since(&start) < seconds) {
    if (count == capacity) {
      capacity *= 2;
      kept = realloc(kept, capacity * sizeof *kept);
    }
    kept[count++] = grow_site(block_bytes);
    sleep_ms(tick_ms);
  }
  stop_requested = 1;
  pthread_join(churner, NULL);
  printf("longrun: %zu blocks grown, exiting normally%s\n", count, seconds_since(&start) < seconds ? " on a signal" : "");
  for (size_t i = 0; i < count; i++) free(kept[i]);
  free(kept);
  free(held);
  return 0;
}
