/* leak: keeps memory it never frees, through a known call chain, so heap profiles
 * have predictable top sites.
 *   leak [scale]   scale multiplies every count (default 1)
 * leak_big -> mid_alloc -> leaf_alloc : 20 x 1 MiB      (kept)
 * leak_small                          : 20000 x 64 B    (kept)
 * churn                               : 50000 x 128 B   (allocated and freed)
 * 2 threads, each thread_keep         : 10 x 512 KiB    (kept)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void **kept;
static size_t nkept;

static void keep(void *p) { kept[nkept++] = p; }

__attribute__((noinline)) static void *leaf_alloc(size_t size) {
  void *p = malloc(size);
  memset(p, 1, size);
  return p;
}
__attribute__((noinline)) static void *mid_alloc(size_t size) { return leaf_alloc(size); }
__attribute__((noinline)) static void leak_big(int scale) {
  for (int i = 0; i < 20 * scale; i++) keep(mid_alloc(1 << 20));
}
__attribute__((noinline)) static void leak_small(int scale) {
  for (int i = 0; i < 20000 * scale; i++) keep(leaf_alloc(64));
}
__attribute__((noinline)) static void churn(int scale) {
  for (int i = 0; i < 50000 * scale; i++) {
    void *p = malloc(128);
    ((volatile char *)p)[0] = 1;
    free(p);
  }
}
static int thread_scale;
static void *thread_keep(void *arg) {
  void **mine = arg;
  for (int i = 0; i < 10 * thread_scale; i++) mine[i] = leaf_alloc(512 << 10);
  return NULL;
}

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  if (scale < 1) scale = 1;
  thread_scale = scale;
  kept = calloc((size_t)(20 + 20000) * scale, sizeof *kept);
  leak_big(scale);
  leak_small(scale);
  churn(scale);
  pthread_t t[2];
  void **slots[2];
  for (int i = 0; i < 2; i++) {
    slots[i] = calloc((size_t)10 * scale, sizeof(void *));
    pthread_create(&t[i], NULL, thread_keep, slots[i]);
  }
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  printf("leak: kept %zu blocks\n", nkept);
  return 0;
}
