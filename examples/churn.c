/* churn: several threads allocate and free small objects of mixed sizes, keeping a
 * sliding window alive; the workload where thread-caching allocators shine.
 *   churn [threads] [iterations-per-thread] [window]   (defaults 4 200000 1000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long iterations = 200000;
static long window = 1000;

static void *worker(void *arg) {
  unsigned seed = (unsigned)(size_t)arg * 2654435761u + 1;
  void **slots = calloc((size_t)window, sizeof *slots);
  for (long i = 0; i < iterations; i++) {
    seed = seed * 1103515245u + 12345u;
    long slot = (long)(seed >> 8) % window;
    free(slots[slot]);
    size_t size = 16 + (seed >> 20) % 496;
    slots[slot] = malloc(size);
    ((volatile char *)slots[slot])[0] = (char)i;
  }
  for (long i = 0; i < window; i++) free(slots[i]);
  free(slots);
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  if (argc > 2) iterations = atol(argv[2]);
  if (argc > 3) window = atol(argv[3]);
  if (threads < 1 || threads > 256 || iterations < 1 || window < 1) {
    fprintf(stderr, "usage: churn [threads] [iterations] [window]\n");
    return 2;
  }
  pthread_t *t = calloc((size_t)threads, sizeof *t);
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, (void *)(size_t)i);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  free(t);
  printf("churn: %d threads x %ld iterations\n", threads, iterations);
  return 0;
}
